// One AMC episode: walk the units in order, build each unit's state (static features plus what earlier
// actions already removed), ask the policy for a ratio, and clip it so the target stays reachable (the
// paper's resource-constrained mode): the unit must remove at least what is still missing after every later
// unit removes as much as it may (a_max). Clipping uses the exact cost model, so every episode's plan meets
// the target whatever the policy proposes.

import { costOf, meets, type Cost } from './cost-model';
import type { SearchSpace } from './search-space';

/** Static features + [FLOPs removed so far, FLOPs of the units still to come, previous action]. */
export const STATE_DIM = 12;

export interface Episode {
  /** Per unit: the state the policy saw (STATE_DIM each). */
  states: Float64Array[];
  /** Per unit: the ratio applied (after clipping), in [0, aMax]. */
  ratios: number[];
  /** The exact cost the plan's pruned model will have. */
  cost: Cost;
}

/** The policy: a ratio in [0, aMax] for unit t in `state`. */
export type Policy = (state: Float64Array, t: number) => number;

/** Ratios are written with 6 decimals, rounded up so a feasible ratio stays feasible. */
const QUANTUM = 1e-6;

export function rollout(space: SearchSpace, limit: Cost, aMax: number, policy: Policy): Episode {
  const n = space.units.length;
  const ratios = new Float64Array(n);
  const states: Float64Array[] = [];
  const base = space.base.flops;
  let rest = space.units.reduce((s, u) => s + u.flops, 0);
  let prev = 0;
  for (let t = 0; t < n; t++) {
    const unit = space.units[t]!;
    rest -= unit.flops;
    const done = costOf(space.cost, ratios).flops;
    const state = new Float64Array(STATE_DIM);
    state.set(unit.features);
    state[9] = (base - done) / base;
    state[10] = Math.max(0, rest) / base;
    state[11] = prev / aMax;
    states.push(state);
    const wanted = Math.min(aMax, Math.max(0, policy(state, t)));
    const least = leastRatio(space, ratios, t, limit, aMax);
    const a = Math.max(wanted, least);
    ratios[t] = Math.min(aMax, Math.ceil(a / QUANTUM - 1e-9) / (1 / QUANTUM));
    if (ratios[t]! < least) ratios[t] = least;
    prev = ratios[t]!;
  }
  return { states, ratios: Array.from(ratios), cost: costOf(space.cost, ratios) };
}

/**
 * The least ratio for unit t, given the ratios before it, with which the target can still be met when every
 * later unit is cut at aMax. Pruned cost only falls as a ratio grows (the engine's removal counts are
 * monotone), so bisection finds it; the result is always on the feasible side.
 */
export function leastRatio(
  space: SearchSpace,
  prefix: ArrayLike<number>,
  t: number,
  limit: Cost,
  aMax: number,
): number {
  const w = Float64Array.from(prefix);
  for (let u = t + 1; u < w.length; u++) w[u] = aMax;
  const ok = (a: number) => {
    w[t] = a;
    return meets(costOf(space.cost, w), limit);
  };
  if (ok(0)) return 0;
  if (!ok(aMax)) return aMax; // only when the target is out of reach (checked when the search starts)
  let lo = 0;
  let hi = aMax;
  while (hi - lo > QUANTUM / 4) {
    const mid = (lo + hi) / 2;
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Whether any plan within [0, aMax] per unit can meet the limit. */
export function reachable(space: SearchSpace, limit: Cost, aMax: number): boolean {
  return meets(costOf(space.cost, new Float64Array(space.units.length).fill(aMax)), limit);
}
