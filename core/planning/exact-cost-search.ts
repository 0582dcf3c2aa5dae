// Shared by the planners that search against the exact cost of the pruned model (scale-to-target,
// fit-allocation): the cost limit a reduction target sets, and the bisection for the least setting meeting it.

import type { ModelStats } from '../stats';
import type { ReductionTarget } from './reduction-target';

export interface Cost {
  flops: number;
  params: number;
}

/** The most FLOPs and parameters a model may keep to meet the target. */
export function costLimit(base: Pick<ModelStats, 'flops' | 'params'>, target: ReductionTarget): Cost {
  return {
    flops: base.flops * (1 - (target.flopsReduction ?? 0)),
    params: base.params * (1 - (target.paramsReduction ?? 0)),
  };
}

export const withinLimit = (limit: Cost) => (c: Cost) => c.flops <= limit.flops && c.params <= limit.params;

/**
 * Bisection for the least position in (lo, at(hi)] whose probe meets, to within `tolerance`; `hi` must meet.
 * Valid because pruned cost only falls as the position grows.
 */
export async function leastMeeting<P>(
  lo: number,
  hi: P,
  probe: (position: number) => Promise<P>,
  meets: (p: P) => boolean,
  at: (p: P) => number,
  tolerance: number,
): Promise<P> {
  while (at(hi) - lo > tolerance) {
    const mid = await probe((lo + at(hi)) / 2);
    if (meets(mid)) hi = mid;
    else lo = at(mid);
  }
  return hi;
}

export const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}%`;
