import { executeChild, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { shortActivity } from '../activity-options';
import { scanSensitivity } from '../scan-sensitivity';
import type { PlannerInput, PlannerResult } from './planner';
import { planMixed } from './plan-mixed';
import { plannedTarget, pruneSettings, scanInput } from './planner-support';

/**
 * `sensitivity`: every unit (module, dependency group, or droppable block, by granularity) pruned alone at
 * each scan ratio and evaluated (a fan-out child workflow), then per-unit ratios with the least predicted
 * mAP loss fitted to the target on the exact cost of the pruned model.
 */
export async function planBySensitivity(input: PlannerInput<'sensitivity'>): Promise<PlannerResult> {
  const o = input.options;
  if (o.granularity === 'mixed') return planMixed(input);
  const scan = await executeChild(scanSensitivity, {
    workflowId: `${input.runId}-sensitivity`,
    args: [scanInput(input, o.granularity)],
  });
  const cpu = proxyActivities<Activities>({ ...shortActivity, taskQueue: input.queues.cpu });
  const planned = await cpu.planPruning({
    planner: o.planner,
    prune: pruneSettings(o),
    target: o.target,
    scan,
    model: input.model,
    imgsz: o.evaluation.imgsz,
    baselineLatencyMs: input.baseline.latency_ms,
    ...(input.criterionInputs ? { criterionInputs: input.criterionInputs } : {}),
  });
  return {
    kind: 'planned',
    plan: planned.plan,
    ref: planned.ref,
    scan,
    ...(planned.sensitivity ? { sensitivity: planned.sensitivity } : {}),
    ...plannedTarget(planned),
  };
}
