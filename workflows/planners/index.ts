// The planner registry: every `planner.kind` of the input and the child workflow that plans for it.
import type { PlannerKind, PlannerWorkflow } from './planner';
import { planByRatios } from './plan-by-ratios';
import { planBySensitivity } from './plan-by-sensitivity';
import { netAdapt } from './net-adapt';
import { planByAmc } from './plan-by-amc';

export const PLANNERS: { readonly [K in PlannerKind]: PlannerWorkflow<K> } = {
  staged: planByRatios,
  uniform: planByRatios,
  sensitivity: planBySensitivity,
  netadapt: netAdapt,
  amc: planByAmc,
};

/**
 * The workflow that plans for `kind`. The registry pairs every kind with the workflow typed for it, so a
 * workflow handed options of that kind gets the input it declares.
 */
export function plannerFor(kind: PlannerKind): PlannerWorkflow {
  return PLANNERS[kind] as PlannerWorkflow;
}

export { planByRatios, planBySensitivity, planByAmc, netAdapt };
export type {
  PlannedResult,
  PlannerInput,
  PlannerKind,
  PlannerOptions,
  PlannerResult,
  PlannerWorkflow,
  PrunedResult,
} from './planner';
