// The one interface every planner implements, as a child workflow of compressModel: it gets the model to
// plan on and the run's options, and returns a plan (how much to cut where) — or, for planners that prune as
// they search (NetAdapt), the pruned model itself. New planners are one workflow plus one registry entry.

import type { ArtifactRef } from '../../common/artifact-ref';
import type { RunOptions } from '../../common/compress-input';
import type { ModelMetrics, PlannedTarget, SearchTrajectory } from '../../common/compress-result';
import type { CriterionInputs } from '../../common/criterion-inputs';
import type { PlanInput } from '../../core/pruning/plan/plan-schema';
import type { ModelStats } from '../../core/stats/model-stats';
import type { ScanSensitivityResult } from '../scan-sensitivity';

export interface PlannerInput {
  runId: string;
  /** The model to plan on (the sparsified one when a sparsify stage ran). */
  model: ArtifactRef;
  /** The original model: the teacher of any fine-tune a planner runs. */
  teacher: ArtifactRef;
  dataset: ArtifactRef;
  options: RunOptions;
  baseline: ModelMetrics;
  criterionInputs?: CriterionInputs;
  queues: { cpu: string; gpu: string };
}

export interface PlannerResult {
  plan: PlanInput;
  /** The stored plan. */
  ref: ArtifactRef;
  /** What the plan was made to meet, and how (scale, allocation). */
  planned?: PlannedTarget;
  /** The scan (sensitivity planner), for the report. */
  scan?: ScanSensitivityResult;
  /** The scan's curves, ranking and allocation as stored (sensitivity planner). */
  sensitivity?: ArtifactRef;
  /** Planners that prune while they search return the pruned model: no prune stage follows. */
  pruned?: { model: ArtifactRef; appliedPlan: ArtifactRef; stats: ModelStats };
  /** A search's steps (NetAdapt iterations, AMC episodes), for the report. */
  search?: SearchTrajectory[];
}

export type PlannerWorkflow = (input: PlannerInput) => Promise<PlannerResult>;
