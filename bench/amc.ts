// AMC vs random search vs sensitivity vs uniform on the BCCD base model at −50% FLOPs, through the real
// pipeline: a private local stack (Temporal + MinIO on free ports), `workers` cpu worker processes with one
// activity each and one onnxruntime thread per evaluation, and one compressModel run per planner and seed.
// For every run it reports the pruned model's test mAP50-95 before fine-tuning (as the pipeline evaluates it,
// and with BN statistics re-estimated on 8 calibration images, the agent's own reward setting), the search's
// wall time and episode throughput, and the best-reward curve. With --finetune-steps N a second pass runs every
// input again with the same N-step fine-tune: planning is then served from the memo (the searches and the scan
// are memoized activities), so the second pass costs only the fine-tunes, and a first pass cut short by time
// still has its results (written after every run).
//
// Run: npx tsx bench/amc.ts [--episodes 100] [--seeds 1,2] [--planners amc,random,sensitivity,uniform]
//        [--batch 4] [--subset 32] [--bn 8] [--workers 2] [--granularity module] [--target 0.5]
//        [--finetune-steps 0] [--out tmp/amc-bench.json]
// (bench/amc.sh runs it in the background with a log under tmp/.)

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { CompressModelInput } from '../common/compress-input';
import type { CompressModelResult } from '../common/compress-result';
import { decodeModel, encodeModel } from '../core/onnx';
import { letterboxGeometry, letterboxInto } from '../core/preprocess';
import { S3ArtifactStore, createS3Client, uploadDatasetFolder, uploadModelFile } from '../runtime/artifacts';
import { loadDataset } from '../runtime/datasets';
import { evaluateModel } from '../runtime/evaluate';
import { decodeImageFile } from '../runtime/images';
import { recalibrateBatchNorm } from '../runtime/search/bn-recalibration';
import { startTestStack } from '../test/support/test-stack';
import { WorkerProcess } from '../test/support/worker-process';

interface Row {
  planner: string;
  seed?: number;
  episodes?: number;
  planningSeconds: number;
  episodesPerMinute?: number;
  flopsKept: number;
  testMap: number;
  testMapBn: number;
  finetunedMap?: number;
  bestReward?: number;
  /** Best reward after 25%, 50%, 75%, 100% of the episodes. */
  bestAt?: number[];
  /** Mean reward of each quarter of the episodes (does the policy improve?). */
  meanByQuarter?: number[];
  /** Every episode's reward, in order. */
  rewards?: number[];
  ratios: Record<string, number>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      episodes: { type: 'string', default: '100' },
      seeds: { type: 'string', default: '1,2' },
      planners: { type: 'string', default: 'amc,random,sensitivity,uniform' },
      batch: { type: 'string', default: '4' },
      subset: { type: 'string', default: '32' },
      bn: { type: 'string', default: '8' },
      workers: { type: 'string', default: '2' },
      granularity: { type: 'string', default: 'module' },
      target: { type: 'string', default: '0.5' },
      'finetune-steps': { type: 'string', default: '0' },
      /** The sensitivity planner's stage bounds cap its reach (−48.8% FLOPs on this model): its own target. */
      'sensitivity-target': { type: 'string' },
      out: { type: 'string', default: 'tmp/amc-bench.json' },
    },
  });
  const episodes = Number(values.episodes);
  const subset = Number(values.subset);
  const bn = Number(values.bn);
  const steps = Number(values['finetune-steps']);
  const granularity = values.granularity as 'module' | 'group';
  const target = Number(values.target);
  const env = await startTestStack();
  const connection = await Connection.connect({ address: env.config.temporal.address });
  const client = new Client({ connection });
  const s3 = createS3Client(env.config.s3);
  const store = new S3ArtifactStore(s3, env.config.s3.bucket);
  const queue = 'amc-bench';
  const config = { ...env.config, taskQueues: { cpu: queue, gpu: queue } };
  process.env.STAGEPRUNE_WORKER_ACTIVITIES = '1';
  const workers = Array.from(
    { length: Number(values.workers) },
    (_, i) =>
      new WorkerProcess(
        'cpu',
        config,
        path.join(env.stateDir, `work-${i}`),
        path.join('tmp', `amc-bench-worker-${i}.log`),
      ),
  );
  const rows: Row[] = [];
  const cleanup = async () => {
    for (const w of workers) await w.stop();
    s3.destroy();
    await connection.close();
    await env.destroy();
  };
  // A bench stopped early (kill PID) still stops its workers, trainer subprocesses and servers.
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => void cleanup().finally(() => process.exit(130)));
  try {
    const model = await uploadModelFile(store, 'models/yolov8n-bccd.onnx');
    const data = await uploadDatasetFolder(store, 'datasets/bccd');
    for (const w of workers) w.start();
    // Fixed planners first (minutes), then both searches seed by seed, so a cut-short run still compares them.
    const runs: {
      planner: string;
      seed?: number;
      input: CompressModelInput['planner'];
      target?: number;
    }[] = [];
    const names = values.planners.split(',');
    if (names.includes('uniform')) runs.push({ planner: 'uniform', input: { kind: 'uniform', ratio: 0.3 } });
    if (names.includes('sensitivity'))
      runs.push({
        planner: 'sensitivity',
        input: { kind: 'sensitivity', calibrationImages: subset, concurrency: 2 },
        ...(values['sensitivity-target'] ? { target: Number(values['sensitivity-target']) } : {}),
      });
    for (const seed of values.seeds.split(',').map(Number)) {
      for (const name of names.filter((n) => n === 'amc' || n === 'random')) {
        runs.push({
          planner: name,
          seed,
          input: {
            kind: 'amc',
            agent: name === 'amc' ? 'ddpg' : 'random',
            episodes,
            batch: Number(values.batch),
            warmup: Math.round(episodes / 4),
            seed,
            calibrationImages: subset,
            bnImages: bn,
          },
        });
      }
    }
    const json = async <T>(ref: { key: string; bucket: string; sha256: string; size: number }) =>
      JSON.parse(new TextDecoder().decode(await store.get(ref))) as T;
    const execute = (r: (typeof runs)[number], finetuneSteps: number) =>
      client.workflow.execute('compressModel', {
        taskQueue: queue,
        workflowId: `amc-bench-${r.planner}-${r.seed ?? 0}-ft${finetuneSteps}-${Date.now()}`,
        args: [
          {
            model,
            data,
            modelName: 'yolov8n-bccd',
            planner: r.input,
            granularity,
            target: { flopsReduction: r.target ?? target },
            finetune:
              finetuneSteps > 0
                ? { epochs: 100, maxSteps: finetuneSteps, batch: 8, device: 'cpu', checkpointEvery: 50 }
                : { epochs: 0 },
            evaluation: { provider: 'cpu', latencyRuns: 5 },
            taskQueues: { cpu: queue, gpu: queue },
          } satisfies CompressModelInput,
        ],
      }) as Promise<CompressModelResult>;
    const save = (baseline: unknown) => {
      fs.mkdirSync(path.dirname(values.out), { recursive: true });
      fs.writeFileSync(values.out, JSON.stringify({ baseline, finetuneSteps: steps, rows }, null, 2));
    };
    const done: boolean[] = [];
    for (const r of runs) {
      const started = Date.now();
      // A planner that fails (an unreachable target) is reported and the others still run.
      const result = await execute(r, 0).catch((err: unknown) => {
        console.log(
          JSON.stringify({
            planner: r.planner,
            seed: r.seed,
            failed: String(err),
            cause: String((err as Error).cause),
          }),
        );
        return undefined;
      });
      done.push(result !== undefined);
      if (!result) continue;
      const planning = result.stepSeconds['planning'] ?? 0;
      const report = await json<{ search?: { points: { step: number; reward?: number }[] }[] }>(
        result.artifacts.reportJson!,
      );
      const plan = await json<{
        modules?: Record<string, number>;
        groups?: Record<string, number>;
        global_ratio?: number;
      }>(result.artifacts.plan!);
      const pts = report.search?.[0]?.points ?? [];
      const bestAt = [0.25, 0.5, 0.75, 1].map((f) =>
        Math.max(...pts.slice(0, Math.max(1, Math.round(f * pts.length))).map((p) => p.reward ?? -1)),
      );
      const testMapBn = await testWithBn(await store.get(result.artifacts.pruned!), subset, bn || 8);
      const row: Row = {
        planner: r.planner,
        ...(r.seed !== undefined ? { seed: r.seed } : {}),
        ...(pts.length
          ? {
              episodes: pts.length,
              episodesPerMinute: pts.length / (planning / 60),
              bestReward: bestAt[3],
              bestAt,
              meanByQuarter: [0, 1, 2, 3].map((q) => {
                const part = pts.slice(
                  Math.floor((q * pts.length) / 4),
                  Math.floor(((q + 1) * pts.length) / 4),
                );
                return part.reduce((sum, p) => sum + (p.reward ?? 0), 0) / Math.max(1, part.length);
              }),
              rewards: pts.map((p) => p.reward ?? 0),
            }
          : {}),
        planningSeconds: planning,
        flopsKept: result.pruned!.flops / result.before.flops,
        testMap: result.pruned!.map50_95,
        testMapBn,
        ratios:
          plan.modules ??
          plan.groups ??
          (plan.global_ratio !== undefined ? { global: plan.global_ratio } : {}),
      };
      rows.push(row);
      console.log(
        JSON.stringify({
          ...row,
          baseline: result.before.map50_95,
          wallSeconds: (Date.now() - started) / 1000,
        }),
      );
      save(result.before);
    }
    if (steps > 0) {
      for (const [i, r] of runs.entries()) {
        if (!done[i]) continue;
        const started = Date.now();
        const result = await execute(r, steps);
        rows[done.slice(0, i).filter(Boolean).length]!.finetunedMap = result.after!.map50_95;
        console.log(
          JSON.stringify({
            planner: r.planner,
            seed: r.seed,
            finetunedMap: result.after!.map50_95,
            prunedMap: result.pruned!.map50_95,
            finetuneSeconds: result.stepSeconds['finetuning'],
            planningSeconds: result.stepSeconds['planning'],
            wallSeconds: (Date.now() - started) / 1000,
          }),
        );
        save(result.before);
      }
    }
  } finally {
    await cleanup();
  }
}

/** Test-split mAP50-95 of a pruned model after BN re-estimation on the calibration images the search used. */
async function testWithBn(bytes: Uint8Array, subset: number, bn: number): Promise<number> {
  const model = decodeModel(bytes);
  const loaded = await loadDataset('datasets/bccd', { split: 'val', policy: 'skip', limit: subset + bn });
  const images = await Promise.all(
    loaded.dataset.images.slice(subset, subset + bn).map(async (im) => {
      const img = await decodeImageFile(loaded.resolveImage(im.file), im.file);
      const data = new Float32Array(3 * 416 * 416);
      letterboxInto(img.data, letterboxGeometry(img.width, img.height, 416), data, 0);
      return { dims: [1, 3, 416, 416], data };
    }),
  );
  const recal = await recalibrateBatchNorm(model, images, { threads: 1 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amc-bench-'));
  try {
    const file = path.join(dir, 'm.onnx');
    fs.writeFileSync(file, encodeModel(recal.model));
    const r = await evaluateModel({
      model: file,
      data: 'datasets/bccd',
      split: 'test',
      session: { ep: 'cpu', intraOpThreads: 1, interOpThreads: 1, graphOptimizationLevel: 'all' },
    });
    return r.metrics.map50_95;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
