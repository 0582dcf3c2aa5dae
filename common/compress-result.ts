import {
  describeSplit,
  SELECTION_UNUSED,
  SPLIT_ROLES,
  type DataSplit,
  type RunSplits,
  type SplitRole,
} from './data-split';
import type { ResolvedTarget } from '../core/planning/latency-target';
import type { ReductionTarget } from '../core/planning/reduction-target';
import type { TrainedDevice } from '../core/report/trained-device';
import type { GammaHistogram } from '../core/stats/gamma-histogram';
import type { ArtifactRef } from './artifact-ref';

/** The before/after row of one model. */
export interface ModelMetrics {
  /**
   * Parameters and FLOPs in the deploy form (BN folded into Conv, `computeStats(model, { form: 'deploy' })`),
   * whatever form the model was evaluated in: the train-form original and pruned models and the deploy-form
   * delivered one are counted alike, so `1 − after / before` is the cut of the model that ships.
   */
  params: number;
  flops: number;
  latency_ms: number;
  map50_95: number;
  map50: number;
}

export interface CompressArtifacts {
  original: ArtifactRef;
  plan?: ArtifactRef;
  appliedPlan?: ArtifactRef;
  pruned?: ArtifactRef;
  finetuned?: ArtifactRef;
  deployed?: ArtifactRef;
  /** The model after the sparsify stage (Network Slimming), which the plan was made on. */
  sparsified?: ArtifactRef;
  sensitivity?: ArtifactRef;
  /** The INT8 model (QDQ) when the run quantized. */
  int8?: ArtifactRef;
  report?: ArtifactRef;
  reportJson?: ArtifactRef;
  /** The self-contained HTML report (also at runs/<run id>/report.html). */
  reportHtml?: ArtifactRef;
  plots?: ArtifactRef[];
}

export interface Int8Result {
  metrics: ModelMetrics;
  observer: string;
  quantizedNodes: number;
  floatNodes: number;
  /** Layers the accuracy control kept in float, most recovering first. */
  keptLayers: string[];
  /** mAP50-95 on the selection split: float, every layer int8, delivered. */
  selectionMap?: { float: number; allInt8: number; delivered: number; withinBudget: boolean };
}

export interface CompressModelResult {
  runId: string;
  artifacts: CompressArtifacts;
  before: ModelMetrics;
  /** Right after pruning, before fine-tuning. */
  pruned?: ModelMetrics;
  after?: ModelMetrics;
  /** Wall seconds per step, in run order. */
  stepSeconds: Record<string, number>;
  /**
   * The fine-tune step: optimiser steps, the step its final attempt resumed from, that attempt's number, and
   * the device it trained on (whether `device: auto` fell back to the CPU; absent from runs before it was kept).
   */
  finetune?: { steps: number; resumedFromStep: number; attempt: number; device?: TrainedDevice };
  /** Set when the target's latency budget was checked. */
  latencyTargetMet?: boolean;
  /** What the plan was made to meet, when the input named a target. */
  planned?: PlannedTarget;
  /** An iterative schedule's steps: each step's model and cost (and short fine-tune). */
  schedule?: ScheduleStep[];
  /** The sparsify stage: |γ| histograms before and after. */
  sparsify?: { gammaBefore: GammaHistogram; gammaAfter: GammaHistogram };
  /** The quantize stage: the INT8 model on the evaluation split, and what the accuracy control kept in float. */
  int8?: Int8Result;
  /** Which images did what: each role's split, in words, and what the run used it for. */
  splits?: Record<SplitRole, SplitUse>;
}

export interface SplitUse {
  /** Absent for a selection split no stage chose on (none was carved). */
  split?: DataSplit;
  /** e.g. "64 images held out of trainval (seed 0)", "val (the data set has no test split: ...)". */
  description: string;
  role: string;
}

/** The result's `splits` entry for a run's resolved splits. */
export function splitUses(splits: RunSplits): Record<SplitRole, SplitUse> {
  const use = (k: SplitRole): SplitUse => {
    const split = splits[k];
    if (split === undefined) return { description: SELECTION_UNUSED, role: SPLIT_ROLES[k] };
    const why = splits.reasons?.[k];
    return { split, description: `${describeSplit(split)}${why ? ` (${why})` : ''}`, role: SPLIT_ROLES[k] };
  };
  return { selection: use('selection'), finetune: use('finetune'), evaluation: use('evaluation') };
}

/**
 * A target as planned: reductions (a latency budget turned into FLOPs), and the scale of fixed ratios. The
 * planners cut deploy-form cost (BN folded), the cost `ModelMetrics` reports.
 */
export interface PlannedTarget extends ResolvedTarget {
  /** Fixed-ratio planners: the factor their ratios were multiplied by. */
  scale?: number;
  /**
   * Sensitivity planner: the reductions its additive per-unit model was asked for so that the pruned model,
   * measured exactly, meets the target (coupled units make the additive model overstate savings).
   */
  allocatedFor?: ReductionTarget;
}

/** A search planner's trajectory (NetAdapt iterations, AMC and random-search episodes), for the report. */
export type { SearchPoint, SearchTrajectory } from '../core/report/search-trajectory';

export type PipelineStage =
  | 'starting'
  | 'importing'
  | 'evaluating-baseline'
  | 'sparsifying'
  | 'scoring-importance'
  | 'planning'
  | 'awaiting-approval'
  | 'pruning'
  | 'evaluating-pruned'
  | 'finetuning'
  | 'exporting'
  | 'evaluating-final'
  | 'quantizing'
  | 'evaluating-int8'
  | 'reporting'
  | 'done'
  | 'failed';

/** What the `progress` query answers. */
export interface CompressProgress {
  stage: PipelineStage;
  percent: number;
  message: string;
  latest?: Partial<ModelMetrics>;
  before?: ModelMetrics;
  /** Fine-tune progress (from the trainer's heartbeats are not visible to queries; this is the step count once done). */
  scan?: { done: number; total: number };
}

/** One step of an iterative schedule: the model it pruned to, its plan and cost, its short fine-tune. */
export interface ScheduleStep {
  step: number;
  model: ArtifactRef;
  appliedPlan: ArtifactRef;
  /** Deploy form, as `ModelMetrics`. */
  flops: number;
  params: number;
  /** The short fine-tune after this step, when one ran. */
  finetuned?: ArtifactRef;
}
