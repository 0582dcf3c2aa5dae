// Load (and chaos) test of the production-profile stack: N concurrent compressModel runs on tiny models
// across the worker fleet, optionally under one kind of fault, then the figures and the invariants.
// Run through bench/load/run.sh (it brings the stack up on its own loopback ports); see docs/BENCHMARKS.md.
//   npx tsx bench/load/load-test.ts --runs 20 --chaos none|kill-workers|temporal-restart|postgres-restart|s3-drive-and-restart|s3-outage
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, TimeoutFailure, type TemporalFailure } from '@temporalio/common';
import { connectClient, startCompression, type CompressModelInput } from '../../clients';
import { artifactRefSchema } from '../../common/artifact-ref';
import type { CompressModelResult } from '../../common/compress-result';
import { runPrefix } from '../../common/run-prefix';
import { encodeModel } from '../../core/onnx';
import { buildYoloV8, yolov8Spec } from '../../core/yolo';
import { ProductionStack, productionOptionsFromConfig } from '../../infra/stack/production';
import {
  S3ArtifactStore,
  createS3Client,
  uploadDatasetFolder,
  uploadModelFile,
} from '../../runtime/artifacts';
import { loadConfig } from '../../runtime/config';
import { miniBccd } from '../../test/support/mini-bccd';
import { secretsIn } from '../../test/support/history-text';
import { CHAOS_KINDS, runChaos, type ChaosEvent, type ChaosKind } from './chaos';
import { percentile, runFigures, type RunFigures } from './run-figures';

interface RunOutcome {
  workflowId: string;
  status: 'completed' | 'failed' | 'not-finished';
  /** For a failure: the typed reason (ApplicationFailure type or timeout type) or 'UNTYPED'. */
  reason?: string;
  seconds?: number;
  figures?: RunFigures;
  artifactsVerified?: number;
  artifactsCorrupt?: string[];
  credentialsInHistory?: string[];
  finetune?: CompressModelResult['finetune'];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '20' },
      chaos: { type: 'string', default: 'none' },
      'timeout-min': { type: 'string', default: '30' },
      out: { type: 'string' },
    },
  });
  const runs = Number(values.runs);
  const chaos = values.chaos as ChaosKind;
  if (!CHAOS_KINDS.includes(chaos)) throw new Error(`--chaos: one of ${CHAOS_KINDS.join(', ')}`);
  const config = loadConfig();
  const stack = new ProductionStack(productionOptionsFromConfig(config));
  const { client, close } = await connectClient(config);
  const s3 = createS3Client(config.s3);
  const store = new S3ArtifactStore(s3, config.s3.bucket);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-load-'));
  try {
    // One distinct tiny model per run (another seed): the memo must not let run 2 reuse run 1's work.
    const dataUri = await uploadDatasetFolder(store, miniBccd(path.join(tmp, 'mini-bccd'), 8));
    const spec = { ...yolov8Spec('n', { nc: 3, imgsz: 64 }), widthMultiple: 0.25 };
    const stamp = Date.now().toString(36);
    const inputs: { id: string; input: CompressModelInput }[] = [];
    for (let i = 0; i < runs; i++) {
      const file = path.join(tmp, `tiny-${i}.onnx`);
      fs.writeFileSync(file, encodeModel(buildYoloV8(spec, { seed: 1000 + i })));
      inputs.push({
        id: `load-${chaos}-${stamp}-${i}`,
        input: {
          model: await uploadModelFile(store, file),
          data: dataUri,
          modelName: `tiny-${i}`,
          finetune: {
            epochs: 1,
            maxSteps: 4,
            batch: 4,
            device: 'cpu',
            checkpointEvery: 1,
            heartbeatTimeoutSeconds: 30,
          },
          evaluation: { provider: 'cpu', latencyRuns: 2, maxImages: 4 },
          taskQueues: config.taskQueues,
        },
      });
    }
    const t0 = Date.now();
    const handles = new Map<string, WorkflowHandle>();
    for (const { id, input } of inputs) {
      handles.set(
        id,
        await startCompression(client, input, { workflowId: id, taskQueue: config.taskQueues.cpu }),
      );
    }
    console.error(`started ${runs} runs (${chaos}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const stop = new AbortController();
    const chaosLog: ChaosEvent[] = [];
    const chaosDone = runChaos(chaos, stack, stop.signal, t0, (e) => {
      chaosLog.push(e);
      console.error(`[chaos +${e.atS}s] ${e.what} (${e.tookS}s)`);
    }).catch((err: unknown) => {
      chaosLog.push({ atS: (Date.now() - t0) / 1000, what: `chaos step failed: ${String(err)}` });
    });
    const deadline = t0 + Number(values['timeout-min']) * 60_000;
    const outcomes = await Promise.all(
      [...handles.entries()].map(async ([id, h]) => waitRun(id, h, deadline)),
    );
    stop.abort();
    await chaosDone;
    const wallS = (Date.now() - t0) / 1000;
    // Heal everything before reading back: every worker running, every drive present.
    await stack.up();
    for (const o of outcomes) {
      const h = handles.get(o.workflowId)!;
      const history = await h.fetchHistory();
      o.figures = runFigures(history);
      // The secret only: the local root user `stageprune` is also the bucket's and the queues' name.
      o.credentialsInHistory = secretsIn(history, { s3Secret: config.s3.credentials?.secretAccessKey });
      if (o.status === 'completed') await verifyArtifacts(o, await h.result(), store);
    }
    const strays = await namedWritesOutsideRuns(
      store,
      new Set(outcomes.filter((o) => o.status === 'completed').map((o) => o.workflowId)),
    );
    const report = summarize(chaos, runs, wallS, outcomes, chaosLog, strays);
    console.log(JSON.stringify(report, null, 2));
    if (values.out)
      fs.writeFileSync(values.out, `${JSON.stringify({ ...report, runs: outcomes }, null, 2)}\n`);
  } finally {
    s3.destroy();
    await close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function waitRun(workflowId: string, h: WorkflowHandle, deadline: number): Promise<RunOutcome> {
  const left = deadline - Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      h.result() as Promise<CompressModelResult>,
      new Promise<'timeout'>((r) => {
        timer = setTimeout(() => r('timeout'), Math.max(0, left));
      }),
    ]);
    if (result === 'timeout') return { workflowId, status: 'not-finished' };
    return { workflowId, status: 'completed', seconds: await runSeconds(h), finetune: result.finetune };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    return { workflowId, status: 'failed', reason: typedReason(err.cause), seconds: await runSeconds(h) };
  } finally {
    clearTimeout(timer);
  }
}

/** Start to close, as the server recorded them. */
async function runSeconds(h: WorkflowHandle): Promise<number> {
  const d = await h.describe();
  return ((d.closeTime?.getTime() ?? Date.now()) - d.startTime.getTime()) / 1000;
}

/** The innermost typed reason of a failure chain: an ApplicationFailure's type or a timeout's kind. */
function typedReason(f: TemporalFailure | Error | undefined): string {
  for (let c: unknown = f; c; c = (c as { cause?: unknown }).cause) {
    if (c instanceof ApplicationFailure && c.type) return c.type;
    if (c instanceof TimeoutFailure) return `TIMEOUT_${c.timeoutType}`;
  }
  return 'UNTYPED';
}

/** Reads every artifact the run returned through the store (sha256-verified on every read). */
async function verifyArtifacts(o: RunOutcome, result: CompressModelResult, store: S3ArtifactStore) {
  const refs = Object.values(result.artifacts)
    .flatMap((v) => (Array.isArray(v) ? v : [v]))
    .map((v) => artifactRefSchema.safeParse(v))
    .filter((r) => r.success)
    .map((r) => r.data);
  o.artifactsVerified = 0;
  o.artifactsCorrupt = [];
  for (const ref of refs) {
    try {
      await store.get(ref);
      o.artifactsVerified++;
    } catch (err) {
      o.artifactsCorrupt.push(`${ref.key}: ${(err as Error).message}`);
    }
  }
  await store.getJson(`${runPrefix(o.workflowId)}manifest.json`);
}

/**
 * Keys outside the places runs may write: the content-addressed store, memo/ (keyed by input hash), the
 * uploaded inputs (datasets/) and runs/<id>/. The activities refuse any other named write (RunScopedStore);
 * this checks the bucket after the fact. `ids` are this test's completed runs, whose prefixes must exist.
 */
async function namedWritesOutsideRuns(store: S3ArtifactStore, ids: Set<string>): Promise<string[]> {
  const keys = (await store.list(store.bucket, '')).map((o) => o.key);
  const outside = keys.filter(
    (k) => !['artifacts/sha256/', 'memo/', 'datasets/', 'runs/'].some((p) => k.startsWith(p)),
  );
  const prefixes = new Set(keys.filter((k) => k.startsWith('runs/')).map((k) => k.split('/')[1]));
  const missing = [...ids]
    .filter((id) => !prefixes.has(encodeURIComponent(id)))
    .map((id) => `(no ${runPrefix(id)})`);
  return [...outside, ...missing];
}

function summarize(
  chaos: ChaosKind,
  started: number,
  wallS: number,
  outcomes: RunOutcome[],
  chaosLog: ChaosEvent[],
  strays: string[],
) {
  const done = outcomes.filter((o) => o.status === 'completed');
  const failed = outcomes.filter((o) => o.status === 'failed');
  const secs = done.map((o) => o.seconds!);
  const figs = outcomes.map((o) => o.figures!).filter(Boolean);
  return {
    chaos,
    started,
    completed: done.length,
    failed: failed.length,
    failureReasons: Object.fromEntries(
      [...new Set(failed.map((o) => o.reason!))].map((r) => [r, failed.filter((o) => o.reason === r).length]),
    ),
    notFinished: outcomes.filter((o) => o.status === 'not-finished').length,
    wallSeconds: Math.round(wallS),
    runsPerHour: Math.round((done.length / wallS) * 3600),
    runSecondsP50: percentile(secs, 50),
    runSecondsP95: percentile(secs, 95),
    activityRetries: figs.reduce((a, f) => a + f.activityRetries, 0),
    runsWithRetries: figs.filter((f) => f.activityRetries > 0).length,
    finetuneResumedFromCheckpoint: done.filter((o) => (o.finetune?.resumedFromStep ?? 0) > 0).length,
    historyEventsMax: Math.max(...figs.map((f) => f.events)),
    historyEventsP50: percentile(
      figs.map((f) => f.events),
      50,
    ),
    largestPayloadBytes: Math.max(...figs.map((f) => f.largestPayloadBytes)),
    invariants: {
      everyRunCompletedOrTypedFailure: outcomes.every(
        (o) => o.status === 'completed' || (o.status === 'failed' && o.reason !== 'UNTYPED'),
      ),
      activitiesCompletedTwice: figs.reduce((a, f) => a + f.completedTwice, 0),
      artifactsVerified: done.reduce((a, o) => a + (o.artifactsVerified ?? 0), 0),
      artifactsCorrupt: done.flatMap((o) => o.artifactsCorrupt ?? []),
      credentialsInHistories: outcomes.filter((o) => (o.credentialsInHistory ?? []).length > 0).length,
      namedWritesOutsideRunPrefixes: strays,
      runsLost: outcomes.filter((o) => o.status === 'not-finished').map((o) => o.workflowId),
    },
    chaosLog,
  };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
