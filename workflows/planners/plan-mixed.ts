import { executeChild, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ArtifactRef } from '../../common/artifact-ref';
import { selectionSplit } from '../../common/data-split';
import { forEachConcurrent } from '../../core/for-each-concurrent';
import { evaluationActivity, shortActivity } from '../activity-options';
import { scanSensitivity } from '../scan-sensitivity';
import type { PlannerInput, PlannerResult } from './planner';
import { pruneSettings, scanInput } from './planner-support';

/** Shares of the FLOPs target asked of block drops; the rest is channel pruning. */
const SHARES = [0, 0.25, 0.5, 0.75];

/**
 * The sensitivity planner at `mixed` granularity: scan modules and droppable blocks (two fan-out children),
 * build one candidate per share of the target taken by drops, prune and measure each (calibration-subset mAP
 * and 1-thread latency, no fine-tune), and keep the best accuracy per latency.
 */
export async function planMixed(input: PlannerInput<'sensitivity'>): Promise<PlannerResult> {
  const o = input.options;
  const planner = o.planner;
  const [modules, blocks] = await Promise.all([
    executeChild(scanSensitivity, {
      workflowId: `${input.runId}-sensitivity`,
      args: [scanInput(input, 'module')],
    }),
    executeChild(scanSensitivity, {
      workflowId: `${input.runId}-sensitivity-blocks`,
      args: [scanInput(input, 'block')],
    }),
  ]);
  const cpu = proxyActivities<Activities>({ ...shortActivity, taskQueue: input.queues.cpu });
  const evaluation = proxyActivities<Activities>({ ...evaluationActivity, taskQueue: input.queues.cpu });
  const candidates = await cpu.planMixes({
    model: input.model,
    prune: pruneSettings(o),
    ...(planner.stageBounds ? { stageBounds: planner.stageBounds } : {}),
    target: o.target,
    modules,
    blocks,
    shares: SHARES,
    imgsz: o.evaluation.imgsz,
    baselineLatencyMs: input.baseline.latency_ms,
    ...(input.criterionInputs ? { criterionInputs: input.criterionInputs } : {}),
  });
  const scored: { map50_95: number; latencyMs: number; flops: number }[] = new Array(candidates.length);
  await forEachConcurrent(
    candidates.map((c, i) => ({ c, i })),
    1, // one at a time: the latencies are compared with each other
    async ({ c, i }) => {
      const pruned = await cpu.applyPruning({ model: input.model, plan: c.plan, imgsz: o.evaluation.imgsz });
      const m = await evaluation.evaluateModel({
        model: pruned.model,
        dataset: input.dataset,
        split: selectionSplit(o.splits),
        imgsz: o.evaluation.imgsz,
        provider: o.evaluation.provider,
        maxImages: planner.calibrationImages,
        latencyRuns: 20,
        threads: 1,
      });
      scored[i] = { map50_95: m.map50_95, latencyMs: m.latency_ms, flops: m.flops };
    },
  );
  let best = 0;
  const merit = (i: number) => scored[i]!.map50_95 / Math.max(scored[i]!.latencyMs, 1e-9);
  for (let i = 1; i < candidates.length; i++) if (merit(i) > merit(best)) best = i;
  const chosen = candidates[best]!;
  const ref: ArtifactRef = chosen.ref;
  return {
    kind: 'planned',
    plan: chosen.plan,
    ref,
    scan: modules,
    search: [
      {
        kind: 'mixed',
        points: candidates.map((c, i) => ({
          step: i,
          map50_95: scored[i]!.map50_95,
          latencyMs: scored[i]!.latencyMs,
          flops: scored[i]!.flops,
          accepted: i === best,
          label: `drops ${c.share * 100}% of the target (${c.drops.length} blocks)`,
        })),
      },
    ],
  };
}
