// NetAdapt on the real stack with the tiny model: the latency table is measured once and reused by the next
// run, iterations continue as new, every iteration keeps one proposal, and the pruned model goes on to the
// rest of the pipeline. With STAGEPRUNE_RECORD_HISTORIES=1 the histories (both runs of the continued-as-new
// planner) are recorded for the replay test.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCompression, type CompressModelInput } from '../../clients';
import type { CompressModelResult } from '../../common/compress-result';
import { within } from '../support/deadline';
import { startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';
import { recordAllRuns, recordRun } from '../support/record-history';

function netAdaptInput(p: PipelineEnv, maxIterations: number): CompressModelInput {
  return {
    model: p.modelUri,
    data: p.dataUri,
    modelName: 'tiny',
    planner: {
      kind: 'netadapt',
      // A budget the tiny model cannot reach in `maxIterations`: the run stops there.
      latencyReduction: 0.9,
      decrement: 0.02,
      proposals: 2,
      finetuneSteps: 1,
      calibrationImages: 2,
      maxIterations,
      // Enough paired runs that a loaded CI host still resolves the groups' savings from its noise.
      runs: 9,
      widthsPerUnit: 2,
      continueEvery: 1,
    },
    finetune: { epochs: 1, maxSteps: 1, batch: 4, device: 'cpu', checkpointEvery: 1 },
    evaluation: { provider: 'cpu', latencyRuns: 2 },
    taskQueues: { cpu: p.env.config.taskQueues.cpu, gpu: p.env.config.taskQueues.gpu },
  };
}

describe('netAdapt on the real stack', () => {
  let p: PipelineEnv;
  before(async () => {
    p = await startPipelineEnv();
  });
  after(async () => {
    await p?.close();
  });

  const run = async (id: string, input: CompressModelInput) => {
    const handle = await startCompression(p.client, input, {
      taskQueue: p.env.config.taskQueues.cpu,
      workflowId: `${id}-${Date.now()}`,
    });
    const result: CompressModelResult = await p.withWorkers(() =>
      within(`netadapt run ${id}`, handle.result()),
    );
    return { handle, result };
  };

  test('iterates with continue-as-new, keeps one proposal per iteration, hands its model to the fine-tune', async () => {
    const { handle, result } = await run('netadapt', netAdaptInput(p, 2));
    const plan = await p.client.workflow.getHandle(`${handle.workflowId}-plan`).fetchHistory();
    const started = (plan.events ?? []).find((e) => e.workflowExecutionStartedEventAttributes);
    assert.ok(started, 'the planner ran');
    // Both iterations' proposals are in the trajectory; one accepted per iteration, with its measured latency.
    const list = [];
    for await (const w of p.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}-plan'` }))
      list.push(w);
    assert.equal(list.length, 2, 'the planner continued as new after its first iteration');
    assert.ok(result.pruned!.params < result.before.params, 'the model shrank');
    const report = JSON.parse(new TextDecoder().decode(await p.store.get(result.artifacts.reportJson!))) as {
      search?: { kind: string; points: { step: number; accepted?: boolean; latency_ms?: number }[] }[];
    };
    const points = report.search?.find((s) => s.kind === 'netadapt')?.points ?? [];
    const kept = points.filter((x) => x.step > 0 && x.accepted);
    assert.equal(kept.length, 2, JSON.stringify(points));
    assert.ok(
      kept.every((x) => x.latency_ms! > 0),
      'each kept proposal has its measured latency',
    );
    assert.ok(
      points.some((x) => x.step > 0 && !x.accepted),
      'the other proposals are in the trajectory',
    );
    assert.ok(result.artifacts.finetuned, 'the long fine-tune followed');
    const tables = await p.store.list(p.env.config.s3.bucket, 'memo/latency-tables/');
    assert.equal(tables.length, 1, 'one stored latency table');

    await recordAllRuns(
      p.client,
      p.env.config.temporal.address,
      `${handle.workflowId}-plan`,
      'compress-model-netadapt.plan',
    );
    recordRun(p.env.config.temporal.address, handle.workflowId, 'compress-model-netadapt');

    // A second run on the same model, provider and host reuses the table instead of measuring again.
    const second = await run('netadapt-again', netAdaptInput(p, 1));
    const history = await p.client.workflow.getHandle(`${second.handle.workflowId}-plan`).fetchHistory();
    const tableResult = (history.events ?? [])
      .map((e) => e.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data)
      .filter((d): d is Uint8Array => d !== undefined && d !== null)
      .map((d) => JSON.parse(new TextDecoder().decode(d)) as { reused?: boolean; baseMs?: number })
      .find((r) => r.reused !== undefined);
    assert.equal(tableResult?.reused, true);
    assert.equal((await p.store.list(p.env.config.s3.bucket, 'memo/latency-tables/')).length, 1);
  });
});
