// Small pieces every planner workflow shares: the prune settings from the run's options, and the planned
// target as the result reports it.

import type { CompressModelOptions } from '../../common/compress-input';
import type { PlannedTarget } from '../../common/compress-result';
import type { PlannedPruning } from '../../activities/compress/plan-pruning';

export function pruneSettings(o: CompressModelOptions) {
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
