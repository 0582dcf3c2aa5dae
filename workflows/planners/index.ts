// The planner registry: every `planner.kind` of the input and the child workflow that plans for it.
import type { Planner } from '../../common/compress-input';
import type { PlannerWorkflow } from './planner';
import { planByRatios } from './plan-by-ratios';
import { planBySensitivity } from './plan-by-sensitivity';
import { netAdapt } from './net-adapt';
import { planByAmc } from './plan-by-amc';

export const PLANNERS: Readonly<Record<Planner['kind'], PlannerWorkflow>> = {
  staged: planByRatios,
  uniform: planByRatios,
  sensitivity: planBySensitivity,
  netadapt: netAdapt,
  amc: planByAmc,
};

export { planByRatios, planBySensitivity, planByAmc, netAdapt };
export type { PlannerInput, PlannerResult, PlannerWorkflow } from './planner';
