// Faults injected into the production-profile stack while the load test runs (bench/load/load-test.ts).
import fs from 'node:fs';
import type { ProductionStack } from '../../infra/stack/production';

export const CHAOS_KINDS = [
  'none',
  'kill-workers',
  'temporal-restart',
  'postgres-restart',
  's3-drive-and-restart',
  's3-outage',
] as const;
export type ChaosKind = (typeof CHAOS_KINDS)[number];

export interface ChaosEvent {
  atS: number;
  what: string;
  tookS?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one kind of fault against the stack until `stop` aborts, logging each injected fault. Every fault
 * heals itself (a killed worker is started again, as a supervisor would; a removed drive comes back), so
 * the runs can finish.
 */
export async function runChaos(
  kind: ChaosKind,
  stack: ProductionStack,
  stop: AbortSignal,
  t0: number,
  log: (e: ChaosEvent) => void,
): Promise<void> {
  const at = () => Math.round((Date.now() - t0) / 100) / 10;
  const timed = async (what: string, fn: () => Promise<void>) => {
    const start = Date.now();
    const atS = at();
    await fn();
    log({ atS, what, tookS: Math.round((Date.now() - start) / 100) / 10 });
  };
  switch (kind) {
    case 'none':
      return;
    case 'kill-workers': {
      // kill -9 of a random worker process (and its trainer) every ~20 s, restarted 3 s later.
      while (!stop.aborted) {
        await sleep(15_000 + Math.random() * 10_000);
        if (stop.aborted) break;
        const w = stack.workers[Math.floor(Math.random() * stack.workers.length)]!;
        await timed(`kill -9 ${w.name}`, () => stack.killWorker(w));
        await sleep(3_000);
        stack.startWorker(w);
      }
      return;
    }
    case 'temporal-restart': {
      await sleep(30_000);
      if (!stop.aborted) await timed('Temporal server stop + start', () => stack.restartTemporal());
      await sleep(45_000);
      if (!stop.aborted) await timed('Temporal server stop + start (2nd)', () => stack.restartTemporal());
      return;
    }
    case 'postgres-restart': {
      await sleep(30_000);
      if (!stop.aborted) {
        await timed('PostgreSQL fast shutdown, 10 s down, start', async () => {
          await stack.restartPostgres(10_000);
        });
      }
      return;
    }
    case 's3-outage': {
      // The outage of issue 17: MinIO gone for 40 s while runs fine-tune, upload and evaluate.
      await sleep(60_000);
      if (stop.aborted) return;
      await timed('MinIO kill -9, 40 s down, start', async () => {
        await stack.killS3();
        await sleep(40_000);
        await stack.restartS3(false);
      });
      return;
    }
    case 's3-drive-and-restart': {
      const drive = stack.o.s3.drives[2]!;
      const removed = `${drive}.removed`;
      await sleep(20_000);
      if (stop.aborted) return;
      // The drive disappears under the running server (a pulled disk); EC:2 over 4 drives keeps serving.
      await timed(`drive removed: ${drive}`, async () => fs.renameSync(drive, removed));
      await sleep(20_000);
      if (!stop.aborted)
        await timed('MinIO kill -9 + start, one drive still missing', () => stack.restartS3(true));
      await sleep(20_000);
      await timed('drive put back (empty: MinIO heals it)', async () => {
        fs.rmSync(removed, { recursive: true, force: true });
        fs.mkdirSync(drive, { recursive: true });
      });
      await sleep(5_000);
      await timed('MinIO kill -9 + start with all drives', () => stack.restartS3(true));
      return;
    }
  }
}
