// Every ratio of a plan, and the plan with every ratio scaled: what the planners' proportions are made of.
// Dependency-free so that workflows may import it.

import type { PlanInput } from './plan-schema';

type RatioMap = Record<string, number>;
const MAPS = ['modules', 'module_hidden', 'groups'] as const;

/** Every ratio of a plan: global, per part, per module, per hidden width, per layer. */
export function planRatios(plan: PlanInput): number[] {
  const maps = MAPS.flatMap((k) => Object.values((plan[k] ?? {}) as RatioMap));
  const stages = Object.values(plan.stages ?? {}).filter((r): r is number => r !== undefined);
  return [...(plan.global_ratio !== undefined ? [plan.global_ratio] : []), ...stages, ...maps];
}

/** The plan with every ratio multiplied by `s`, capped at `max`. */
export function scalePlan(plan: PlanInput, s: number, max: number): PlanInput {
  const r = (v: number) => Math.min(v * s, max);
  const out: PlanInput = { ...plan };
  if (plan.global_ratio !== undefined) out.global_ratio = r(plan.global_ratio);
  if (plan.stages)
    out.stages = Object.fromEntries(
      Object.entries(plan.stages).map(([k, v]) => [k, v === undefined ? undefined : r(v)]),
    ) as PlanInput['stages'];
  for (const k of MAPS) {
    const map = plan[k] as RatioMap | undefined;
    if (map) Object.assign(out, { [k]: Object.fromEntries(Object.entries(map).map(([u, v]) => [u, r(v)])) });
  }
  return out;
}
