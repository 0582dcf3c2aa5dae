import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { queryProgress, startCompression, type CompressModelInput } from '../../clients';
import type { CompressModelResult } from '../../common/compress-result';
import { waitedRunJson } from '../../cli/commands/run';
import { TASK_QUEUES } from '../../common/constants';
import { inputJsonSchema } from '../../common/input-json-schema';
import { searchKeys } from '../../common/search-attributes';
import { repoRoot, temporalBinary } from '../../runtime/paths';
import { parseS3Uri } from '../../runtime/artifacts/s3-uri';
import { createS3Client } from '../../runtime/artifacts';
import { createStagepruneWorker } from '../../workers/create-worker';
import { inProcess } from '../support/cli-in-process';
import { pollUntil } from '../support/deadline';
import { startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';
import { recordRun } from '../support/record-history';
import { decodeModel, metadataValue } from '../../core/onnx';

/** Small budgets: a tiny model, 12 trainval images, 2 optimiser steps. */
function tinyInput(p: PipelineEnv, overrides: Partial<CompressModelInput> = {}): CompressModelInput {
  return {
    model: p.modelUri,
    data: p.dataUri,
    modelName: 'tiny',
    planner: { kind: 'staged', stages: { backbone: 0.3, neck: 0.2, head: 0.1 } },
    finetune: { epochs: 1, maxSteps: 2, batch: 4, device: 'cpu', checkpointEvery: 1 },
    evaluation: { provider: 'cpu', latencyRuns: 2 },
    taskQueues: { cpu: p.env.config.taskQueues.cpu, gpu: p.env.config.taskQueues.gpu },
    ...overrides,
  };
}

function failureOf(err: unknown): ApplicationFailure {
  assert.ok(err instanceof WorkflowFailedError, `expected a failed workflow, got ${String(err)}`);
  const cause = err.cause instanceof ActivityFailure ? err.cause.cause : err.cause;
  assert.ok(cause instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(cause)}`);
  return cause;
}

/** The activities the workflow itself scheduled (not its children's), with the queue each went to. */
async function scheduledActivities(handle: WorkflowHandle): Promise<{ type: string; queue: string }[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const a = e.activityTaskScheduledEventAttributes;
    return a ? [{ type: a.activityType?.name ?? '?', queue: a.taskQueue?.name ?? '?' }] : [];
  });
}

/** Training, Taylor scoring and evaluation all went to `gpuQueue`; graph work stayed on `cpuQueue`. */
function assertGpuWorkOn(
  scheduled: { type: string; queue: string }[],
  gpuQueue: string,
  cpuQueue: string,
  expected: string[],
): void {
  const gpuWork = new Set(['evaluateModel', 'finetune', 'scoreTaylor']);
  for (const type of expected)
    assert.ok(
      scheduled.some((s) => s.type === type),
      `${type} was not scheduled: ${JSON.stringify(scheduled)}`,
    );
  for (const s of scheduled) {
    if (gpuWork.has(s.type)) assert.equal(s.queue, gpuQueue, `${s.type} went to ${s.queue}`);
    else assert.equal(s.queue, cpuQueue, `${s.type} went to ${s.queue}`);
  }
}

describe('compressModel against the real Temporal dev server and MinIO', () => {
  let p: PipelineEnv;
  before(async () => {
    p = await startPipelineEnv();
  });
  after(async () => {
    await p?.close();
  });

  test('runs every step, stores every artifact and reports before/after', async (t) => {
    const handle = await startCompression(p.client, tinyInput(p), { taskQueue: p.env.config.taskQueues.cpu });
    const { result, progress } = await p.withWorkers(async () => {
      const result = await handle.result();
      // Queries of a closed run are answered by a worker, so ask before the workers stop.
      return { result, progress: await queryProgress(handle) };
    });

    t.diagnostic(`step seconds: ${JSON.stringify(result.stepSeconds)}`);
    assert.ok(result.after && result.pruned);
    assert.ok(result.after.params < result.before.params, 'pruning must remove parameters');
    assert.ok(result.after.flops < result.before.flops, 'pruning must remove FLOPs');
    // The staged planner chooses on no images: all 12 trainval images are fine-tuned on (capped at 2 steps).
    assert.equal(result.finetune?.steps, 2);
    for (const key of [
      'original',
      'plan',
      'appliedPlan',
      'pruned',
      'finetuned',
      'deployed',
      'report',
      'reportJson',
    ] as const) {
      const ref = result.artifacts[key];
      assert.ok(ref, `artifact ${key} is missing from the result`);
      assert.equal(await p.store.exists(ref), true, `artifact ${key} is not in S3`);
    }
    const manifest = (await p.store.getJson(`runs/${result.runId}/manifest.json`)) as { artifacts: object };
    assert.ok('deployed' in manifest.artifacts);
    const report = new TextDecoder().decode(await p.store.get(result.artifacts.report!));
    assert.match(report, /Params/);
    // No stage of a staged run chooses on images: nothing is held out for selection, the fine-tune reads the
    // whole trainval split, and the result and the report say so, with the sizes.
    assert.equal(result.splits?.selection.split, undefined);
    assert.equal(result.splits?.selection.description, 'none (no stage chooses on it)');
    assert.equal(result.splits?.finetune.split, 'trainval');
    assert.equal(result.splits?.evaluation.split, 'test');
    assert.match(report, /\| selection split \| none \(no stage chooses on it\): choices/);
    assert.match(report, /\| finetune split \| trainval \(12 images\): training/);

    assert.equal(progress.stage, 'done');
    assert.equal(progress.percent, 100);
    const desc = await handle.describe();
    assert.deepEqual(desc.typedSearchAttributes.get(searchKeys.stage), 'done');
    assert.deepEqual(desc.typedSearchAttributes.get(searchKeys.model), 'tiny');

    // Every activity completed once, on its first attempt.
    const history = await handle.fetchHistory();
    const started = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes);
    assert.ok(started.length >= 8);
    for (const e of started) assert.equal(e.activityTaskStartedEventAttributes!.attempt, 1);
  });

  test('the sensitivity planner scans units and plans to a FLOPs target', async () => {
    const handle = await startCompression(
      p.client,
      tinyInput(p, {
        planner: { kind: 'sensitivity', scanRatios: [0.5], calibrationImages: 4, concurrency: 2 },
        target: { flopsReduction: 0.05 },
        finetune: { epochs: 0 },
      }),
      { taskQueue: p.env.config.taskQueues.cpu },
    );
    const result = await p.withWorkers(() => handle.result());
    recordRun(p.env.config.temporal.address, handle.workflowId, 'compress-model-sensitivity', [
      'plan',
      'sensitivity',
      'prune',
    ]);
    assert.ok(result.artifacts.sensitivity, 'the scan is stored');
    // The scan chooses on images: half the mini data set's 12 trainval images (the hold-out's cap) are held out
    // for it, and the report gives each side's size.
    const held = { of: 'trainval', holdOut: 64, seed: 0 };
    assert.deepEqual(result.splits?.selection.split, { ...held, part: 'held' });
    assert.deepEqual(result.splits?.finetune.split, { ...held, part: 'rest' });
    const report = new TextDecoder().decode(await p.store.get(result.artifacts.report!));
    assert.match(
      report,
      /\| selection split \| 64 images held out of trainval \(seed 0\) \(6 images\): choices/,
    );
    assert.match(
      report,
      /\| finetune split \| trainval less the 64 images held out .* \(6 images\): training/,
    );
    const scan = JSON.parse(new TextDecoder().decode(await p.store.get(result.artifacts.sensitivity))) as {
      points: unknown[];
      ranking: { order: string[] };
    };
    assert.ok(scan.points.length > 5, `expected one point per unit, got ${scan.points.length}`);
    assert.equal(scan.ranking.order.length, 3);
    // the target is met by the pruned model as measured, not only by the scan's additive prediction
    assert.ok(
      result.pruned!.flops <= result.before.flops * 0.95,
      `${result.pruned!.flops} vs ${result.before.flops}`,
    );
    assert.ok((result.planned?.allocatedFor?.flopsReduction ?? 0) >= 0.05);
  });

  test('--quantize int8: the delivered model gets an INT8 form, calibrated on the selection split, evaluated and reported', async () => {
    const handle = await startCompression(
      p.client,
      tinyInput(p, {
        // Ratios of its own: with the default ones its pruned and delivered models would be another test's, and
        // their memoized evaluations would spare that test's run the data set it deletes mid-run.
        planner: { kind: 'staged', stages: { backbone: 0.2, neck: 0.2, head: 0.1 } },
        finetune: { epochs: 0 },
        quantize: { format: 'int8', maxDropPoints: 100, calibrationImages: 4 },
      }),
      { taskQueue: p.env.config.taskQueues.cpu },
    );
    const result = await p.withWorkers(() => handle.result());
    recordRun(p.env.config.temporal.address, handle.workflowId, 'compress-model-int8', ['plan', 'prune']);
    assert.ok(result.artifacts.int8, 'the INT8 model is stored');
    const int8 = decodeModel(await p.store.get(result.artifacts.int8));
    assert.equal(metadataValue(int8, 'stageprune_precision'), 'int8');
    assert.ok(int8.graph.nodes.some((n) => n.opType === 'QuantizeLinear'));
    assert.ok(result.int8 && result.int8.quantizedNodes > 100, JSON.stringify(result.int8));
    assert.deepEqual(result.int8.keptLayers, [], 'a 100-point budget keeps nothing in float');
    assert.equal(result.int8.selectionMap?.withinBudget, true);
    assert.ok(result.int8.metrics.latency_ms > 0);
    // Quantizing chooses on selection: the staged run now holds images out of the fine-tune split for it.
    assert.equal((result.splits?.selection.split as { part?: string }).part, 'held');
    assert.ok('quantizing' in result.stepSeconds && 'evaluating-int8' in result.stepSeconds);
    const report = new TextDecoder().decode(await p.store.get(result.artifacts.report!));
    assert.match(report, /## Number format/);
    assert.match(report, /\| int8 \(minmax\) \| 0\.\d{4} \|/);
  });

  test('the staged planner scales its ratios to meet a FLOPs target; an unreachable latency budget fails typed', async () => {
    const handle = await startCompression(
      p.client,
      tinyInput(p, { target: { flopsReduction: 0.6 }, finetune: { epochs: 0 } }),
      { taskQueue: p.env.config.taskQueues.cpu },
    );
    const result = await p.withWorkers(() => handle.result());
    // 0.3/0.2/0.1 alone removes about 40% of this model's FLOPs: the proportions are kept, the scale grows
    assert.ok(
      result.planned?.scale !== undefined && result.planned.scale > 1,
      JSON.stringify(result.planned),
    );
    assert.equal(result.planned.flopsReduction, 0.6);
    assert.ok(
      result.pruned!.flops <= result.before.flops * 0.4,
      `${result.pruned!.flops} vs ${result.before.flops}`,
    );
    const plan = JSON.parse(new TextDecoder().decode(await p.store.get(result.artifacts.plan!))) as {
      stages: { backbone: number; neck: number };
    };
    assert.ok(Math.abs(plan.stages.backbone / plan.stages.neck - 1.5) < 1e-9);

    const tooFast = await startCompression(
      p.client,
      tinyInput(p, { target: { latencyMs: 1e-6 }, finetune: { epochs: 0 } }),
      { taskQueue: p.env.config.taskQueues.cpu },
    );
    const err = await p.withWorkers(() =>
      tooFast.result().then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    const failure = failureOf(err);
    assert.equal(failure.type, 'PLAN_TARGET_UNREACHABLE');
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /latency budget/);
  });

  test('hrank at channel granularity: the scan ranks dependency groups on calibration images, the plan prunes groups', async () => {
    const handle = await startCompression(
      p.client,
      tinyInput(p, {
        criterion: 'hrank',
        granularity: 'group',
        importance: { calibrationImages: 2 },
        planner: { kind: 'sensitivity', scanRatios: [0.5], calibrationImages: 2, concurrency: 2 },
        target: { flopsReduction: 0.05 },
        finetune: { epochs: 0 },
      }),
      { taskQueue: p.env.config.taskQueues.cpu },
    );
    const result = await p.withWorkers(() => handle.result());
    const scan = JSON.parse(new TextDecoder().decode(await p.store.get(result.artifacts.sensitivity!))) as {
      points: { unit: string }[];
    };
    // units are groups named by their root conv (`/model.2/cv1/conv/Conv`), not modules (`model.2`)
    assert.ok(
      scan.points.every((pt) => pt.unit.startsWith('/') && pt.unit.endsWith('Conv')),
      scan.points[0]?.unit,
    );
    const plan = JSON.parse(new TextDecoder().decode(await p.store.get(result.artifacts.plan!))) as {
      criterion: string;
      groups?: Record<string, number>;
      modules?: unknown;
    };
    assert.equal(plan.criterion, 'hrank');
    assert.ok(
      plan.groups && Object.keys(plan.groups).length > 0 && plan.modules === undefined,
      JSON.stringify(plan),
    );
    assert.ok(result.after!.flops <= result.before.flops * 0.95);
  });

  test('taylor: the trainer scores channels on the gpu queue and the pruning steps read the scores', async () => {
    const handle = await startCompression(
      p.client,
      tinyInput(p, {
        criterion: 'taylor',
        importance: { taylorBatches: 1 },
        finetune: { epochs: 0, batch: 4 },
      }),
      { taskQueue: p.env.config.taskQueues.cpu },
    );
    const result = await p.withWorkers(() => handle.result());
    recordRun(p.env.config.temporal.address, handle.workflowId, 'compress-model-taylor', ['plan', 'prune']);
    assert.ok(result.stepSeconds['scoring-importance']! > 0, JSON.stringify(result.stepSeconds));
    assert.ok(result.pruned!.params < result.before.params);
    const applied = JSON.parse(
      new TextDecoder().decode(await p.store.get(result.artifacts.appliedPlan!)),
    ) as {
      criterion: string;
    };
    assert.equal(applied.criterion, 'taylor');
  });

  test('the Temporal CLI starts a run with plain JSON input', async () => {
    const workflowId = `cli-start-${Date.now()}`;
    const json = JSON.stringify({
      model: p.modelUri,
      data: p.dataUri,
      finetune: { epochs: 0 },
      evaluation: { latencyRuns: 1 },
      taskQueues: { cpu: p.env.config.taskQueues.cpu, gpu: p.env.config.taskQueues.gpu },
    });
    // Exactly the documented command (docs/PIPELINE.md), against the test server's address.
    execFileSync(temporalBinary(), [
      'workflow',
      'start',
      '--address',
      p.env.config.temporal.address,
      '--type',
      'compressModel',
      '--task-queue',
      p.env.config.taskQueues.cpu,
      '--workflow-id',
      workflowId,
      '--input',
      json,
    ]);
    const handle = p.client.workflow.getHandle(workflowId);
    const result = (await p.withWorkers(() => handle.result())) as CompressModelResult;
    assert.ok(result.after!.params < result.before.params);
    // What `run --wait --json` prints for it: the whole result, so a caller finds the deployed model.
    const line = JSON.parse(
      JSON.stringify(waitedRunJson(result, 's3://b/runs/x/report.html')),
    ) as CompressModelResult & { run_id: string; report: string };
    assert.equal(line.run_id, workflowId);
    assert.equal(line.artifacts.deployed?.key, result.artifacts.deployed!.key);
    assert.equal(typeof line.stepSeconds['planning'], 'number');
    assert.equal(line.report, 's3://b/runs/x/report.html');
  });

  test('without taskQueues in the input, the workflow sends fine-tuning, Taylor scoring and evaluation to stageprune-gpu', async () => {
    const cpuQueue = p.env.config.taskQueues.cpu;
    const handle = await p.client.workflow.start('compressModel', {
      taskQueue: cpuQueue,
      workflowId: `default-queues-${Date.now()}`,
      args: [
        {
          model: p.modelUri,
          data: p.dataUri,
          criterion: 'taylor',
          importance: { taylorBatches: 1 },
          finetune: { epochs: 1, maxSteps: 1, batch: 4, device: 'cpu' },
          evaluation: { latencyRuns: 1 },
        },
      ],
    });
    // Only a cpu worker on the cpu queue and a worker on the workflow's default gpu queue: fine-tuning or
    // evaluation falling back to the cpu queue would run there and fail the queue assertions below.
    const gpu = await createStagepruneWorker({
      config: p.env.config,
      taskQueue: TASK_QUEUES.gpu,
      workDir: p.workDir,
    });
    try {
      await gpu.worker.runUntil(p.withWorkers(() => handle.result(), ['cpu']));
    } finally {
      await gpu.close();
    }
    assertGpuWorkOn(await scheduledActivities(handle), TASK_QUEUES.gpu, cpuQueue, [
      'importModel',
      'scoreTaylor',
      'evaluateModel',
      'finetune',
    ]);
  });

  test('startCompression fills taskQueues from the configuration unless the input names them', async () => {
    const config = { taskQueues: { cpu: `cfg-cpu-${Date.now()}`, gpu: 'cfg-gpu' } };
    // Nobody polls these queues: the runs stay open, and their start event shows the input as sent.
    const started = async (handle: WorkflowHandle) => {
      const history = await handle.fetchHistory();
      await handle.terminate('test done');
      const attrs = history.events![0]!.workflowExecutionStartedEventAttributes!;
      const input = defaultPayloadConverter.fromPayload<CompressModelInput>(attrs.input!.payloads![0]!);
      return { queue: attrs.taskQueue?.name, taskQueues: input.taskQueues };
    };
    const plain = { model: p.modelUri, data: p.dataUri };
    assert.deepEqual(await started(await startCompression(p.client, plain, { config })), {
      queue: config.taskQueues.cpu,
      taskQueues: config.taskQueues,
    });
    assert.deepEqual(
      await started(await startCompression(p.client, plain, { config, taskQueue: 'elsewhere-cpu' })),
      { queue: 'elsewhere-cpu', taskQueues: { cpu: 'elsewhere-cpu', gpu: 'cfg-gpu' } },
      'cpu work stays with the workflow when the caller picks its queue',
    );
    assert.deepEqual(
      await started(
        await startCompression(p.client, { ...plain, taskQueues: { gpu: 'my-gpu' } }, { config }),
      ),
      { queue: config.taskQueues.cpu, taskQueues: { cpu: config.taskQueues.cpu, gpu: 'my-gpu' } },
      "the input's own queue wins",
    );
  });

  test('stageprune run sends gpu work to STAGEPRUNE_GPU_QUEUE and reports its uploads on stderr only', async () => {
    const gpuQueue = `gpu-from-env-${Date.now()}`;
    const env: Record<string, string> = {
      STAGEPRUNE_TEMPORAL_ADDRESS: p.env.config.temporal.address,
      STAGEPRUNE_S3_ENDPOINT: p.env.config.s3.endpoint,
      STAGEPRUNE_S3_BUCKET: p.env.config.s3.bucket,
      STAGEPRUNE_CPU_QUEUE: p.env.config.taskQueues.cpu,
      STAGEPRUNE_GPU_QUEUE: gpuQueue,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
    };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    const workflowId = `cli-run-${Date.now()}`;
    let r: Awaited<ReturnType<typeof inProcess>>;
    try {
      // The local files the pipeline env uploaded at start: the CLI finds both already stored.
      r = await inProcess(
        'run',
        '--model',
        path.join(p.env.stateDir, 'tiny.onnx'),
        '--data',
        path.join(p.env.stateDir, 'mini-bccd'),
        '--epochs',
        '1',
        '--max-steps',
        '1',
        '--eval-images',
        '2',
        '--workflow-id',
        workflowId,
        '--json',
      );
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { run_id: workflowId }, 'stdout is only the JSON line');
    assert.match(r.stderr, /^model: uploading .*tiny\.onnx \(\d/m);
    assert.ok(r.stderr.includes(`model: ${p.modelUri}`), r.stderr);
    assert.ok(r.stderr.includes(`already uploaded (`) && r.stderr.includes(p.dataUri), r.stderr);
    // The first lines say which split does what, before the uploads.
    assert.match(
      r.stderr,
      /^selection split: none \(no stage chooses on it\)\nfinetune split: trainval\nevaluation split: test\nmodel: uploading/,
    );

    const handle = p.client.workflow.getHandle(workflowId);
    const gpu = await createStagepruneWorker({
      config: p.env.config,
      taskQueue: gpuQueue,
      workDir: p.workDir,
    });
    try {
      await gpu.worker.runUntil(p.withWorkers(() => handle.result(), ['cpu']));
    } finally {
      await gpu.close();
    }
    assertGpuWorkOn(await scheduledActivities(handle), gpuQueue, p.env.config.taskQueues.cpu, [
      'evaluateModel',
      'finetune',
    ]);
  });

  test('the committed JSON Schema of the input is current', () => {
    const committed = JSON.parse(
      fs.readFileSync(path.join(repoRoot, 'docs', 'compress-model-input.schema.json'), 'utf8'),
    ) as unknown;
    assert.deepEqual(committed, inputJsonSchema(), 'run `npx tsx tools/write-input-schema.ts`');
  });

  test('an invalid input fails at once as a non-retryable INVALID_INPUT', async () => {
    const bad = { ...tinyInput(p), planner: { kind: 'uniform', ratio: 1.5 } } as CompressModelInput;
    const handle = await p.client.workflow.start('compressModel', {
      taskQueue: p.env.config.taskQueues.cpu,
      workflowId: `bad-input-${Date.now()}`,
      args: [bad],
    });
    const err = await p.withWorkers(() =>
      handle.result().then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    const failure = failureOf(err);
    assert.equal(failure.type, 'INVALID_INPUT');
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /planner/);
  });

  test('a corrupt model fails with a typed, non-retryable ONNX error', async () => {
    const ref = await p.store.put(new TextEncoder().encode('this is not an onnx model'));
    const handle = await startCompression(
      p.client,
      tinyInput(p, { model: `s3://${ref.bucket}/${ref.key}` }),
      {
        taskQueue: p.env.config.taskQueues.cpu,
      },
    );
    const err = await p.withWorkers(() =>
      handle.result().then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    const failure = failureOf(err);
    assert.match(failure.type ?? '', /^ONNX_/);
    assert.equal(failure.nonRetryable, true);
  });

  test('an input object deleted mid-run fails the run, naming the missing key', async () => {
    const handle = await startCompression(
      p.client,
      tinyInput(p, { requireApproval: true, finetune: { epochs: 0 } }),
      {
        taskQueue: p.env.config.taskQueues.cpu,
      },
    );
    const err = await p.withWorkers(async () => {
      // Wait until the run holds at the approval gate (baseline evaluated), then delete one dataset image.
      let stage: string | undefined;
      await pollUntil(
        'the run to hold at the approval gate',
        async () => {
          stage = (await queryProgress(handle)).stage;
          return stage === 'awaiting-approval' ? true : undefined;
        },
        { lastValue: () => stage },
      );
      const data = parseS3Uri(p.dataUri)!;
      const victim = (await p.store.list(data.bucket, data.key)).find((o) => o.key.endsWith('.jpg'))!;
      const s3 = createS3Client(p.env.config.s3);
      await s3.send(new DeleteObjectCommand({ Bucket: data.bucket, Key: victim.key }));
      s3.destroy();
      await handle.signal('approvePlan', { approved: true });
      const e = await handle.result().then(
        () => undefined,
        (x: unknown) => x,
      );
      return { e, key: victim.key };
    });
    const failure = failureOf(err.e);
    assert.equal(failure.type, 'ARTIFACT_MISSING');
    assert.equal(failure.nonRetryable, true);
    assert.ok(failure.message.includes(err.key), `'${failure.message}' should name ${err.key}`);
  });
});
