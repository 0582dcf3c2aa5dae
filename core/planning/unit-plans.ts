// Plans the planners write: fixed ratios (staged, uniform) and per-unit ratios at a granularity. The units
// are ultralytics modules (`model.6`), dependency groups named by their root conv (`channel`), or blocks to
// drop whole (`layer`).

import type { PlanInput } from '../pruning/plan/plan-schema';

export type Granularity = 'module' | 'channel' | 'layer' | 'mixed';

export interface PruneSettings {
  criterion: string;
  roundTo: number;
  granularity: Granularity;
}

/**
 * A plan that prunes the given units: modules or dependency groups at the given ratios; for `layer`, the
 * blocks whose ratio is 1 are dropped (a block is either kept or dropped).
 */
export function unitPlan(
  units: Record<string, number>,
  s: { criterion: string; roundTo: number; granularity?: Granularity },
): PlanInput {
  const base = { criterion: s.criterion as PlanInput['criterion'], round_to: s.roundTo };
  switch (s.granularity) {
    case 'channel':
      return { ...base, layers: units };
    case 'layer':
      return {
        ...base,
        drop_bottlenecks: Object.entries(units)
          .filter(([, r]) => r >= 1)
          .map(([u]) => u),
      };
    default:
      return { ...base, modules: units };
  }
}

/** A plan from a fixed-ratio planner: per stage (staged) or one ratio for every group (uniform). */
export function planFromRatios(
  planner: { kind: 'staged'; stages: Record<string, number> } | { kind: 'uniform'; ratio: number },
  s: { criterion: string; roundTo: number },
): PlanInput {
  const base = { criterion: s.criterion as PlanInput['criterion'], round_to: s.roundTo };
  return planner.kind === 'staged'
    ? { ...base, stages: planner.stages }
    : { ...base, global_ratio: planner.ratio };
}
