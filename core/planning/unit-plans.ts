// Plans the planners write: fixed ratios (staged, uniform) and per-unit ratios at a granularity. The units
// are ultralytics modules (`model.6`), dependency groups named by their root conv (`group`), or blocks to
// drop whole (`block`).

import type { PlanInput } from '../pruning/plan/plan-schema';

/**
 * What the sensitivity scan (and the search planners) treat as one unit, named as the plan key its plans
 * write: `module` an ultralytics module (its channels by one ratio, plan key `modules`), `group` one
 * dependency group (a conv and everything coupled to it, `groups`), `block` a whole block to drop (C2f/C3k2
 * bottleneck, C3k, PSA block: layer pruning, `blocks`); `mixed` both modules and blocks under one target (the
 * sensitivity planner measures a few mixes and keeps the best accuracy per latency).
 */
export const GRANULARITIES = ['module', 'group', 'block', 'mixed'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export interface PruneSettings {
  criterion: string;
  roundTo: number;
  granularity: Granularity;
}

/**
 * A plan that prunes the given units: modules or dependency groups at the given ratios; for `block`, the
 * blocks whose ratio is 1 are dropped (a block is either kept or dropped).
 */
export function unitPlan(
  units: Record<string, number>,
  s: { criterion: string; roundTo: number; granularity?: Granularity },
): PlanInput {
  const base = { criterion: s.criterion as PlanInput['criterion'], round_to: s.roundTo };
  switch (s.granularity) {
    case 'group':
      return { ...base, groups: units };
    case 'block':
      return {
        ...base,
        blocks: Object.entries(units)
          .filter(([, r]) => r >= 1)
          .map(([u]) => u),
      };
    default:
      return { ...base, modules: units };
  }
}

/** A plan from a fixed-ratio planner: per part (staged) or one ratio for every group (uniform). */
export function planFromRatios(
  planner: { kind: 'staged'; stages: Record<string, number> } | { kind: 'uniform'; ratio: number },
  s: { criterion: string; roundTo: number },
): PlanInput {
  const base = { criterion: s.criterion as PlanInput['criterion'], round_to: s.roundTo };
  return planner.kind === 'staged'
    ? { ...base, stages: planner.stages }
    : { ...base, global_ratio: planner.ratio };
}
