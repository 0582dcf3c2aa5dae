import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { shortActivity } from '../activity-options';
import type { PlannerInput, PlannerResult } from './planner';
import { plannedTarget, pruneSettings } from './planner-support';

/**
 * `staged` and `uniform`: fixed ratios (per stage, or one for every group), scaled to the target when there
 * is one (the engine prunes for real at each probe of the bisection).
 */
export async function planByRatios(input: PlannerInput<'staged' | 'uniform'>): Promise<PlannerResult> {
  const cpu = proxyActivities<Activities>({ ...shortActivity, taskQueue: input.queues.cpu });
  const o = input.options;
  const planned = await cpu.planPruning({
    planner: o.planner,
    prune: pruneSettings(o),
    target: o.target,
    model: input.model,
    imgsz: o.evaluation.imgsz,
    baselineLatencyMs: input.baseline.latency_ms,
    ...(input.criterionInputs ? { criterionInputs: input.criterionInputs } : {}),
  });
  return { kind: 'planned', plan: planned.plan, ref: planned.ref, ...plannedTarget(planned) };
}
