// Small pieces every planner workflow shares: the prune settings from the run's options, the sensitivity
// scan's input, and the planned target as the result reports it.

import type { RunOptions, GRANULARITIES } from '../../common/compress-input';
import type { PlannedTarget } from '../../common/compress-result';
import { selectionSplit } from '../../common/data-split';
import type { PlannedPruning } from '../../activities/compress/plan-pruning';
import type { ScanSensitivityInput } from '../scan-sensitivity';
import type { PlannerInput } from './planner';

export function pruneSettings(o: RunOptions) {
  return { criterion: o.criterion, roundTo: o.roundTo, granularity: o.granularity };
}

export function plannedTarget(p: PlannedPruning): { planned?: PlannedTarget } {
  if (!p.target) return {};
  return {
    planned: {
      ...p.target,
      ...(p.scale !== undefined ? { scale: p.scale } : {}),
      ...(p.allocatedFor ? { allocatedFor: p.allocatedFor } : {}),
    },
  };
}

/** The sensitivity scan of `input`'s model at `granularity`, as the sensitivity planner's options ask. */
export function scanInput(
  input: PlannerInput,
  granularity: Exclude<(typeof GRANULARITIES)[number], 'mixed'>,
): ScanSensitivityInput {
  const o = input.options;
  if (o.planner.kind !== 'sensitivity')
    throw new Error(`a scan needs the sensitivity planner, not ${o.planner.kind}`);
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
