// The amc planner on the real stack (tiny model, mini BCCD, a handful of episodes): a durable search that
// continues as new after every batch, whose best plan meets the FLOPs target on the pruned model and whose
// trajectory has one point per episode; and random search over the same space, the baseline. With
// STAGEPRUNE_RECORD_HISTORIES=1 each run's history (children included) is recorded for the replay test.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCompression, type CompressModelInput } from '../../clients';
import type { CompressModelResult } from '../../common/compress-result';
import type { ArtifactRef } from '../../common/artifact-ref';
import { within } from '../support/deadline';
import { startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';
import { recordRun } from '../support/record-history';

describe('amc planner on the real stack', () => {
  let p: PipelineEnv;
  before(async () => {
    p = await startPipelineEnv();
  });
  after(async () => {
    await p?.close();
  });

  const input = (
    planner: CompressModelInput['planner'],
    granularity: 'group' | 'module',
  ): CompressModelInput => ({
    model: p.modelUri,
    data: p.dataUri,
    modelName: 'tiny',
    planner,
    granularity,
    target: { flopsReduction: 0.3 },
    finetune: { epochs: 0 },
    evaluation: { provider: 'cpu', latencyRuns: 1 },
    taskQueues: { cpu: p.env.config.taskQueues.cpu, gpu: p.env.config.taskQueues.gpu },
  });
  const run = async (id: string, i: CompressModelInput): Promise<CompressModelResult> => {
    const handle = await startCompression(p.client, i, {
      taskQueue: p.env.config.taskQueues.cpu,
      workflowId: `${id}-${Date.now()}`,
    });
    return p.withWorkers(() => within(`run ${id}`, handle.result()));
  };
  const json = async <T>(ref: ArtifactRef) =>
    JSON.parse(new TextDecoder().decode(await p.store.get(ref))) as T;
  interface ReportJson {
    search?: {
      kind: string;
      points: { step: number; reward?: number; flops?: number; accepted?: boolean }[];
    }[];
  }

  test('a DDPG search of 6 episodes in batches of 3 (continue-as-new after each) meets the FLOPs target', async () => {
    const episodes = 6;
    const result = await run(
      'amc',
      input(
        {
          kind: 'amc',
          episodes,
          batch: 3,
          warmup: 3,
          seed: 1,
          hidden: 16,
          calibrationImages: 4,
          bnImages: 2,
          continueEvery: 1,
        },
        'group',
      ),
    );
    // The plan is applied as is (one prune step): the pruned model's exact FLOPs meet the target.
    assert.ok(
      result.pruned!.flops <= result.before.flops * 0.7,
      `${result.pruned!.flops} of ${result.before.flops}`,
    );
    assert.deepEqual(result.planned, { flopsReduction: 0.3 });
    const plan = await json<{ groups?: Record<string, number>; modules?: unknown }>(result.artifacts.plan!);
    const ratios = Object.values(plan.groups ?? {});
    assert.ok(ratios.length > 10 && plan.modules === undefined, 'channel granularity: a ratio per group');
    assert.ok(
      ratios.every((r) => r >= 0 && r <= 0.8),
      'actions within [0, a_max]',
    );
    const report = await json<ReportJson>(result.artifacts.reportJson!);
    const search = report.search!;
    assert.equal(search.length, 1);
    assert.equal(search[0]!.kind, 'amc');
    const points = search[0]!.points;
    assert.deepEqual(
      points.map((pt) => pt.step),
      Array.from({ length: episodes }, (_, i) => i + 1),
      'one point per episode',
    );
    // Every episode met the target (the constraint), and the accepted points are increasing best rewards.
    assert.ok(points.every((pt) => pt.flops! <= result.before.flops * 0.7));
    const accepted = points.filter((pt) => pt.accepted).map((pt) => pt.reward!);
    assert.ok(accepted.length >= 1 && accepted.every((r, i) => i === 0 || r > accepted[i - 1]!));
    recordRun(p.env.config.temporal.address, result.runId, 'compress-model-amc', ['plan', 'amc', 'prune']);
  });

  test('random search (agent random) over modules: same budget and constraint, trajectory kind random', async () => {
    const result = await run(
      'amc-random',
      input(
        { kind: 'amc', agent: 'random', episodes: 4, batch: 2, seed: 2, calibrationImages: 4, bnImages: 0 },
        'module',
      ),
    );
    assert.ok(result.pruned!.flops <= result.before.flops * 0.7);
    const plan = await json<{ modules?: Record<string, number> }>(result.artifacts.plan!);
    assert.ok(Object.keys(plan.modules ?? {}).every((k) => /^model\.\d+$/.test(k)));
    const report = await json<ReportJson>(result.artifacts.reportJson!);
    assert.equal(report.search![0]!.kind, 'random');
    assert.equal(report.search![0]!.points.length, 4);
  });
});
