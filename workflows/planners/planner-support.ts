// Small pieces every planner workflow shares: the prune settings from the run's options, the target as every
// planner resolves it, the sensitivity scan's input, and the planned target as the result reports it.

import { ApplicationFailure } from '@temporalio/workflow';
import type { GRANULARITIES, RunOptions } from '../../common/compress-input';
import type { PlannedTarget } from '../../common/compress-result';
import { selectionSplit } from '../../common/data-split';
import { PlanError } from '../../core/planning/errors';
import { resolveTarget, type ResolvedTarget } from '../../core/planning/latency-target';
import type { PlannedPruning } from '../../activities/compress/plan-pruning';
import type { ScanSensitivityInput } from '../scan-sensitivity';
import type { PlannerInput } from './planner';

export function pruneSettings(o: RunOptions) {
  return { criterion: o.criterion, roundTo: o.roundTo, granularity: o.granularity };
}

/**
 * The reductions a planner plans for: the input's target with a latency budget turned into FLOPs against the
 * measured baseline — the resolver the plan activities use too (core/planning/latency-target.ts), its typed
 * errors failing the run as they would from an activity.
 */
export function plannerTarget(input: PlannerInput): ResolvedTarget {
  try {
    return resolveTarget(input.options.target, input.baseline.latency_ms);
  } catch (err) {
    if (err instanceof PlanError)
      throw ApplicationFailure.create({ type: err.code, nonRetryable: true, message: err.message });
    throw err;
  }
}

/** A resolved target as the run's result reports it, with how a planner met it. */
export function reportedTarget(
  target: ResolvedTarget | undefined,
  how: Pick<PlannedTarget, 'scale' | 'allocatedFor'> = {},
): { target?: PlannedTarget } {
  if (!target || (target.flopsReduction === undefined && target.paramsReduction === undefined)) return {};
  return {
    target: {
      ...target,
      ...(how.scale !== undefined ? { scale: how.scale } : {}),
      ...(how.allocatedFor ? { allocatedFor: how.allocatedFor } : {}),
    },
  };
}

/** The target a plan activity reports it planned for. */
export function plannedTarget(p: PlannedPruning): { target?: PlannedTarget } {
  return reportedTarget(p.target, { scale: p.scale, allocatedFor: p.allocatedFor });
}

/** The sensitivity scan of `input`'s model at `granularity`, as the sensitivity planner's options ask. */
export function scanInput(
  input: PlannerInput<'sensitivity'>,
  granularity: Exclude<(typeof GRANULARITIES)[number], 'mixed'>,
): ScanSensitivityInput {
  const o = input.options;
  return {
    model: input.model,
    dataset: input.dataset,
    ratios: o.planner.scanRatios,
    criterion: o.criterion,
    roundTo: o.roundTo,
    split: selectionSplit(o.splits),
    imgsz: o.evaluation.imgsz,
    calibrationImages: o.planner.calibrationImages,
    concurrency: o.planner.concurrency,
    taskQueue: input.queues.cpu,
    granularity,
    ...(input.criterionInputs ? { criterionInputs: input.criterionInputs } : {}),
  };
}
