// The pipeline's optional stages and planner paths on the real stack (tiny model, tiny budgets): an iterative
// prune schedule, the Network Slimming stage, layer pruning by the sensitivity planner, the approval gate, and
// a failed run's visible state. With STAGEPRUNE_RECORD_HISTORIES=1 each run's history (children included) is
// recorded for the replay test.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { queryProgress, startCompression, type CompressModelInput } from '../../clients';
import type { CompressModelResult } from '../../common/compress-result';
import { searchKeys } from '../../common/search-attributes';
import { pollUntil, within } from '../support/deadline';
import { startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';
import { recordRun } from '../support/record-history';
import { decodeModel } from '../../core/onnx';
import { pruneModel } from '../../core/pruning/prune-model';
import type { PlanInput } from '../../core/pruning/plan/plan-schema';
import { computeStats } from '../../core/stats';

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

const json = async <T>(p: PipelineEnv, ref: { key: string; bucket: string; sha256: string; size: number }) =>
  JSON.parse(new TextDecoder().decode(await p.store.get(ref))) as T;

describe('planners and optional stages on the real stack', () => {
  let p: PipelineEnv;
  before(async () => {
    p = await startPipelineEnv();
  });
  after(async () => {
    await p?.close();
  });

  const run = async (id: string, input: CompressModelInput): Promise<CompressModelResult> => {
    const handle = await startCompression(p.client, input, {
      taskQueue: p.env.config.taskQueues.cpu,
      workflowId: `${id}-${Date.now()}`,
    });
    return p.withWorkers(() => within(`run ${id}`, handle.result()));
  };

  test('an iterative schedule prunes in steps with a short fine-tune between them and meets the target', async () => {
    const result = await run(
      'iterative',
      tinyInput(p, {
        target: { flopsReduction: 0.3 },
        schedule: { steps: 2, finetuneEpochs: 1 },
      }),
    );
    const steps = result.schedule!;
    assert.equal(steps.length, 2);
    assert.ok(steps[0]!.finetuned, 'a short fine-tune follows every step but the last');
    assert.equal(steps[1]!.finetuned, undefined);
    // The first step goes halfway in width, the second lands on the planner's plan: the same FLOPs as that
    // plan applied in one go to the original (the target met, not overshot).
    assert.ok(steps[0]!.flops < result.before.flops && steps[0]!.flops > steps[1]!.flops);
    const original = decodeModel(await p.store.get(result.artifacts.original));
    const oneShot = await pruneModel(original, await json<PlanInput>(p, result.artifacts.plan!));
    const pruned = decodeModel(await p.store.get(result.artifacts.pruned!));
    assert.equal(computeStats(pruned).flops, computeStats(oneShot.model).flops);
    assert.ok(
      result.pruned!.flops <= result.before.flops * 0.7,
      `${result.pruned!.flops} of ${result.before.flops}`,
    );
    assert.equal(result.artifacts.pruned!.key, steps[1]!.model.key);
    recordRun(p.env.config.temporal.address, result.runId, 'compress-model-iterative', ['plan', 'prune']);
  });

  test('the sparsify stage fine-tunes with L1 on BN γ before planning, and reports both γ histograms', async () => {
    const result = await run(
      'sparsify',
      tinyInput(p, { criterion: 'bn-gamma', sparsify: { epochs: 2, l1: 0.05 }, finetune: { epochs: 0 } }),
    );
    const s = result.sparsify!;
    assert.ok(result.artifacts.sparsified, 'the sparsified model is an artifact');
    assert.equal(s.gammaBefore.channels, s.gammaAfter.channels);
    assert.ok(s.gammaBefore.channels > 100);
    assert.ok(
      s.gammaAfter.mean < s.gammaBefore.mean,
      `mean |γ| ${s.gammaBefore.mean} -> ${s.gammaAfter.mean}`,
    );
    const applied = await json<{ criterion: string }>(p, result.artifacts.appliedPlan!);
    assert.equal(applied.criterion, 'bn-gamma');
    assert.ok(result.stepSeconds['sparsifying']! > 0);
    recordRun(p.env.config.temporal.address, result.runId, 'compress-model-sparsify', [
      'sparsify',
      'plan',
      'prune',
    ]);
  });

  test('layer granularity: the sensitivity planner drops whole blocks, least measured loss per FLOPs first', async () => {
    const result = await run(
      'layers',
      tinyInput(p, {
        granularity: 'block',
        planner: { kind: 'sensitivity', calibrationImages: 2, concurrency: 2 },
        target: { flopsReduction: 0.02 },
        finetune: { epochs: 0 },
      }),
    );
    const scan = await json<{ points: { unit: string; ratio: number }[]; drops: string[] }>(
      p,
      result.artifacts.sensitivity!,
    );
    // One point per droppable block (the tiny model's C2f bottlenecks), each dropped alone.
    assert.ok(scan.points.length >= 4 && scan.points.every((pt) => /^model\.\d+\.m\.\d+$/.test(pt.unit)));
    assert.ok(scan.points.every((pt) => pt.ratio === 1));
    const plan = await json<{ blocks?: string[]; modules?: unknown }>(p, result.artifacts.plan!);
    assert.deepEqual(plan.blocks, scan.drops);
    assert.ok(plan.blocks!.length >= 1 && plan.modules === undefined);
    assert.ok(result.pruned!.flops <= result.before.flops * 0.98);
    recordRun(p.env.config.temporal.address, result.runId, 'compress-model-layers', [
      'plan',
      'sensitivity',
      'prune',
    ]);
  });

  test('mixed granularity: candidates mixing block drops and channel ratios are measured, the best per latency kept', async () => {
    const result = await run(
      'mixed',
      tinyInput(p, {
        granularity: 'mixed',
        planner: { kind: 'sensitivity', scanRatios: [0.5], calibrationImages: 2, concurrency: 2 },
        target: { flopsReduction: 0.1 },
        finetune: { epochs: 0 },
      }),
    );
    const report = await json<{
      search?: { kind: string; points: { accepted?: boolean; label?: string }[] }[];
    }>(p, result.artifacts.reportJson!);
    const mixes = report.search?.find((s) => s.kind === 'mixed')?.points ?? [];
    assert.ok(mixes.length >= 2, JSON.stringify(report.search));
    assert.equal(mixes.filter((x) => x.accepted).length, 1);
    const plan = await json<{ blocks?: string[]; modules?: Record<string, number> }>(
      p,
      result.artifacts.plan!,
    );
    assert.ok((plan.blocks?.length ?? 0) > 0 || Object.keys(plan.modules ?? {}).length > 0);
    assert.ok(
      result.pruned!.flops <= result.before.flops * 0.9,
      `${result.pruned!.flops} of ${result.before.flops}`,
    );
    recordRun(p.env.config.temporal.address, result.runId, 'compress-model-mixed', [
      'plan',
      'sensitivity',
      'sensitivity-blocks',
      'prune',
    ]);
  });

  test('a failed run shows stage `failed` in its progress query and search attribute, with a typed failure', async () => {
    const handle = await startCompression(
      p.client,
      // 99% of the FLOPs cannot go: no ratio is scaled beyond 0.9.
      tinyInput(p, { target: { flopsReduction: 0.99 }, finetune: { epochs: 0 } }),
      { taskQueue: p.env.config.taskQueues.cpu, workflowId: `failed-${Date.now()}` },
    );
    // Queries need a worker: ask while they still poll.
    const [err, progress] = await p.withWorkers(async () => {
      const e = await within(
        'the run to fail',
        handle.result().then(
          () => undefined,
          (x: unknown) => x,
        ),
      );
      return [e, await queryProgress(handle)] as const;
    });
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
    assert.equal(err.cause.type, 'PLAN_TARGET_UNREACHABLE');
    assert.equal(progress.stage, 'failed');
    assert.match(progress.message, /failed while planning/);
    const stage = await pollUntil('the failed stage in the search attribute', async () => {
      const d = await handle.describe();
      const v = d.typedSearchAttributes.get(searchKeys.stage);
      return v === 'failed' ? v : undefined;
    });
    assert.equal(stage, 'failed');
    recordRun(p.env.config.temporal.address, handle.workflowId, 'compress-model-failed', ['plan']);
  });

  test('the approval gate holds the run after planning; an approval lets it prune and finish', async () => {
    const handle = await startCompression(
      p.client,
      tinyInput(p, { requireApproval: true, finetune: { epochs: 0 } }),
      { taskQueue: p.env.config.taskQueues.cpu, workflowId: `approval-${Date.now()}` },
    );
    const result = await p.withWorkers(async () => {
      await pollUntil('the run to hold at the approval gate', async () =>
        (await queryProgress(handle)).stage === 'awaiting-approval' ? true : undefined,
      );
      await handle.signal('approvePlan', { approved: true, comment: 'looks fine' });
      return within('the approved run', handle.result());
    });
    assert.ok(result.pruned!.params < result.before.params);
    recordRun(p.env.config.temporal.address, handle.workflowId, 'compress-model-approval', ['plan', 'prune']);
  });
});
