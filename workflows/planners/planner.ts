// The one interface every planner implements, as a child workflow of compressModel: it gets the model to
// plan on and the run's options, and returns a plan (how much to cut where) — or, for planners that prune as
// they search (NetAdapt), the pruned model itself. New planners are one workflow plus one registry entry.

import type { ArtifactRef } from '../../common/artifact-ref';
import type { Planner, RunOptions } from '../../common/compress-input';
import type { ModelMetrics, PlannedTarget, SearchTrajectory } from '../../common/compress-result';
import type { CriterionInputs } from '../../common/criterion-inputs';
import type { PlanInput } from '../../core/pruning/plan/plan-schema';
import type { ModelStats } from '../../core/stats/model-stats';
import type { ScanSensitivityResult } from '../scan-sensitivity';

export type PlannerKind = Planner['kind'];

/** The run's options with the planner narrowed to the kinds a planner workflow serves. */
export type PlannerOptions<K extends PlannerKind> = RunOptions & { planner: Extract<Planner, { kind: K }> };

/** A planner workflow's input, its options narrowed to the kinds `K` it serves. */
export type PlannerInput<K extends PlannerKind = PlannerKind> = PlannerInputWith<
  Extract<Planner, { kind: K }>
>;

interface PlannerInputWith<P extends Planner> {
  runId: string;
  /** The model to plan on (the sparsified one when a sparsify stage ran). */
  model: ArtifactRef;
  /** The original model: the teacher of any fine-tune a planner runs. */
  teacher: ArtifactRef;
  dataset: ArtifactRef;
  options: RunOptions & { planner: P };
  baseline: ModelMetrics;
  criterionInputs?: CriterionInputs;
  queues: { cpu: string; gpu: string };
}

/** A plan for the prune stage to apply. */
export interface PlannedResult {
  kind: 'planned';
  plan: PlanInput;
  /** The stored plan. */
  ref: ArtifactRef;
  /** What the plan was made to meet, and how (scale, allocation). */
  target?: PlannedTarget;
  /** The scan (sensitivity planner), for the report. */
  scan?: ScanSensitivityResult;
  /** The scan's curves, ranking and allocation as stored (sensitivity planner). */
  sensitivity?: ArtifactRef;
  /** A search's steps (AMC episodes, mixes measured), for the report. */
  search?: SearchTrajectory[];
}

/** A planner that prunes while it searches (NetAdapt) returns the pruned model: no prune stage follows. */
export interface PrunedResult {
  kind: 'pruned';
  /** The plan from the original to the pruned model, and where it is stored. */
  plan: PlanInput;
  ref: ArtifactRef;
  pruned: { model: ArtifactRef; appliedPlan: ArtifactRef; stats: ModelStats };
  search: SearchTrajectory[];
}

export type PlannerResult = PlannedResult | PrunedResult;

export type PlannerWorkflow<K extends PlannerKind = PlannerKind> = (
  input: PlannerInput<K>,
) => Promise<PlannerResult>;
