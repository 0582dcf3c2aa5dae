import type { ArtifactRef } from './artifact-ref';

/** The before/after row of one model. */
export interface ModelMetrics {
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
  sensitivity?: ArtifactRef;
  report?: ArtifactRef;
  reportJson?: ArtifactRef;
  plots?: ArtifactRef[];
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
  /** The fine-tune step: optimiser steps, the step its final attempt resumed from, and that attempt's number. */
  finetune?: { steps: number; resumedFromStep: number; attempt: number };
  /** Set when the target's latency budget was checked. */
  latencyTargetMet?: boolean;
  /** What the plan was made to meet, when the input named a target. */
  planned?: PlannedTarget;
}

/** A target as planned: reductions (a latency budget turned into FLOPs), and the scale of fixed ratios. */
export interface PlannedTarget {
  flopsReduction?: number;
  paramsReduction?: number;
  fromLatency?: { budgetMs: number; baselineMs: number; flopsReduction: number };
  /** Fixed-ratio planners: the factor their ratios were multiplied by. */
  scale?: number;
  /**
   * Sensitivity planner: the reductions its additive per-unit model was asked for so that the pruned model,
   * measured exactly, meets the target (coupled units make the additive model overstate savings).
   */
  allocatedFor?: { flopsReduction?: number; paramsReduction?: number };
}

export type PipelineStage =
  | 'starting'
  | 'importing'
  | 'evaluating-baseline'
  | 'scoring-importance'
  | 'scanning-sensitivity'
  | 'planning'
  | 'awaiting-approval'
  | 'pruning'
  | 'evaluating-pruned'
  | 'finetuning'
  | 'exporting'
  | 'evaluating-final'
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
