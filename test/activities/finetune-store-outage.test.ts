import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { FinetuneHeartbeat, FinetuneInput } from '../../activities/compress/finetune';
import type { CompressModelOptions } from '../../common/compress-input';
import { LocalArtifactCache } from '../../runtime/artifacts';
import { FlakyStore } from '../support/flaky-store';
import { startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

/** MockActivityEnvironment.run, typed by the activity it runs. */
function run<A extends unknown[], R>(
  env: MockActivityEnvironment,
  fn: (...args: A) => Promise<R>,
  ...args: A
): Promise<R> {
  return env.run(fn, ...args) as Promise<R>;
}

/**
 * Issue 17: a store outage during fine-tuning once killed the worker process (an unawaited checkpoint
 * upload rejected). With the store failing, the activity must complete or fail with a typed retryable
 * error, the heartbeat must only ever name checkpoints that were stored, and nothing may reject unhandled.
 */
describe('finetune while the artifact store is down', () => {
  let p: PipelineEnv;
  let student: FinetuneInput['student'];
  let dataset: FinetuneInput['dataset'];
  const strays: unknown[] = [];
  const onStray = (reason: unknown) => strays.push(reason);

  before(async () => {
    process.on('unhandledRejection', onStray);
    p = await startPipelineEnv();
    const acts = createActivities(deps(p, p.store));
    const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'outage', runId: 'r' } });
    student = (await run(env, acts.importModel, { uri: p.modelUri })).ref;
    dataset = (await run(env, acts.importDataset, { uri: p.dataUri })).manifest;
  });
  after(async () => {
    process.off('unhandledRejection', onStray);
    await p?.close();
  });

  function deps(env: PipelineEnv, store: PipelineEnv['store'] | FlakyStore) {
    const workDir = path.join(env.env.stateDir, 'work');
    return {
      store,
      cache: new LocalArtifactCache(store, path.join(workDir, 'cache')),
      workDir,
      // Short waits: the test is about what happens, not how long the production back-off waits.
      storeBackoff: { initialMs: 20, maxMs: 80, attempts: 4 },
    };
  }

  function options(maxSteps: number): CompressModelOptions['finetune'] {
    return {
      epochs: 5,
      maxSteps,
      batch: 4,
      device: 'cpu',
      imgsz: 64,
      checkpointEvery: 1,
      cwdTau: 1,
      cwdWeight: 10,
      cwdHeadWeight: 0,
      seed: 0,
      labels: true,
      heartbeatTimeoutSeconds: 30,
    };
  }

  test('puts failing for a while: training goes on, uploads retry, the heartbeat keeps the last good checkpoint', async () => {
    const flaky = new FlakyStore(p.store);
    flaky.failPuts = 6; // the first checkpoints meet a store that refuses connections
    const env = new MockActivityEnvironment({
      workflowExecution: { workflowId: 'outage-a', runId: 'r' },
      heartbeatTimeoutMs: 30_000,
    });
    const beats: FinetuneHeartbeat[] = [];
    env.on('heartbeat', (d: FinetuneHeartbeat) => beats.push(d));
    const result = await run(env, createActivities(deps(p, flaky)).finetune, {
      student,
      teacher: student,
      dataset,
      split: 'trainval',
      options: { ...options(6), lr0: 0.003, warmupBiasLr: 0, outputWeight: 2 },
    });
    assert.equal(result.steps, 6);
    const jobDir = fs
      .readdirSync(path.join(deps(p, flaky).workDir, 'finetune'))
      .find((d) => d.startsWith('outage-a-'));
    const job = JSON.parse(
      fs.readFileSync(path.join(deps(p, flaky).workDir, 'finetune', jobDir!, 'job.json'), 'utf8'),
    );
    assert.equal(job.optimizer.lr0, 0.003, "the run's learning rate reaches the trainer");
    assert.equal(job.optimizer.warmup_bias_lr, 0, "and so does the bias group's warmup start");
    assert.deepEqual(job.output_distill, { weight: 2 }, 'and the output-distillation weight');
    assert.ok(await p.store.exists(result.model), 'the fine-tuned model is stored');
    assert.ok(flaky.failedPuts >= 6, `the outage happened (${flaky.failedPuts} failed puts)`);
    const named = beats.filter((b) => b.checkpoint).map((b) => b.checkpoint!.key);
    assert.ok(named.length > 0, 'once the store was back a checkpoint was stored and named');
    const stored = new Set(flaky.stored.map((r) => r.key));
    for (const key of named) assert.ok(stored.has(key), `heartbeat named ${key}, which was never stored`);
    assert.deepEqual(strays, [], 'no promise rejected unhandled');
  });

  test('puts failing throughout: a typed, retryable STORE_UNAVAILABLE, the heartbeat never names a checkpoint', async () => {
    const flaky = new FlakyStore(p.store);
    flaky.failPuts = Infinity;
    const env = new MockActivityEnvironment({
      workflowExecution: { workflowId: 'outage-b', runId: 'r' },
      heartbeatTimeoutMs: 30_000,
    });
    const beats: FinetuneHeartbeat[] = [];
    env.on('heartbeat', (d: FinetuneHeartbeat) => beats.push(d));
    const err = await run(env, createActivities(deps(p, flaky)).finetune, {
      student,
      teacher: student,
      dataset,
      split: 'trainval',
      options: options(4),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(err)}`);
    assert.equal(err.type, 'STORE_UNAVAILABLE');
    assert.equal(err.nonRetryable, false);
    assert.ok(beats.length > 0 && beats.every((b) => b.checkpoint === null));
    // Let any stray rejection surface before checking.
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(strays, [], 'no promise rejected unhandled');
  });
});
