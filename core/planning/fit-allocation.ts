// The `sensitivity` planner against the exact cost of the pruned model. Its allocation adds up each unit's
// savings as if the units were independent; coupled units overlap (a conv whose input and output channels are
// both cut loses (1−a)(1−b) of its cost, not 1−a−b), so the additive model overstates the combined savings
// and a plan "meeting" 40% may remove 35% when applied. Here the reduction the allocation is asked for is
// raised by one factor until the pruned model, measured for real, meets the target; bisection on that factor
// finds the least one. The allocation itself (which units, least predicted mAP loss, part bounds) is
// unchanged: only how far along its greedy path it goes.

import type { Model } from '../onnx/model';
import { pruneModel, type PruneDeps } from '../pruning/prune-model';
import type { PlanInput } from '../pruning/plan/plan-schema';
import { computeStats } from '../stats';
import {
  allocateSensitivityRatios,
  type AllocationOptions,
  type SensitivityAllocation,
  type SensitivityTarget,
} from './allocate-ratios';
import { PlanError } from './errors';
import { costLimit, leastMeeting, pct, withinLimit } from './exact-cost-search';
import type { SensitivityBaseline, SensitivityCurve } from './sensitivity-types';

/** The largest reduction the allocation is ever asked for (its schema allows < 1). */
const MAX_ASKED_REDUCTION = 0.99;

export interface FittedAllocation {
  allocation: SensitivityAllocation;
  plan: PlanInput;
  /** The reductions the additive allocation was asked for so that the exact model meets the target. */
  askedFor: SensitivityTarget;
  /** Exact cost of the model the plan produces, and of the original. */
  flops: number;
  params: number;
  baseFlops: number;
  baseParams: number;
}

export interface FitOptions {
  /** Passed to every allocation (part bounds, max ratio); `allowPartial` is set here. */
  allocation?: Omit<AllocationOptions, 'allowPartial'>;
  imgsz?: number;
  deps?: PruneDeps;
  /** Bisection stops when the factor's bracket is this narrow. */
  tolerance?: number;
}

/**
 * Allocates per-unit ratios from the scan with the least predicted mAP loss such that the pruned model,
 * measured exactly, meets every named reduction. `toPlan` turns the allocation's unit ratios into the plan the
 * engine applies. Throws PLAN_TARGET_UNREACHABLE when even the furthest allocation falls short.
 */
export async function fitAllocationToTarget(
  model: Model,
  baseline: SensitivityBaseline,
  curves: readonly SensitivityCurve[],
  target: SensitivityTarget,
  toPlan: (units: Record<string, number>) => PlanInput,
  options: FitOptions = {},
): Promise<FittedAllocation> {
  const stats = (m: Model) => computeStats(m, { imgsz: options.imgsz, form: 'deploy' });
  const base = stats(model);
  const want = costLimit(base, target);
  const meets = withinLimit(want);
  const asked = (k: number): SensitivityTarget => {
    const up = (r: number | undefined) =>
      r === undefined ? undefined : Math.min(r * k, MAX_ASKED_REDUCTION);
    const t = { flopsReduction: up(target.flopsReduction), paramsReduction: up(target.paramsReduction) };
    return Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) as SensitivityTarget;
  };
  const probe = async (k: number) => {
    const askedFor = asked(k);
    const allocation = allocateSensitivityRatios(baseline, curves, askedFor, {
      ...options.allocation,
      allowPartial: true,
    });
    const plan = toPlan(allocation.modules);
    const out = stats((await pruneModel(model, plan, options.deps)).model);
    return { k, allocation, plan, askedFor, flops: out.flops, params: out.params };
  };
  const result = (r: Awaited<ReturnType<typeof probe>>): FittedAllocation => ({
    allocation: r.allocation,
    plan: r.plan,
    askedFor: r.askedFor,
    flops: r.flops,
    params: r.params,
    baseFlops: base.flops,
    baseParams: base.params,
  });

  const first = await probe(1);
  if (meets(first)) return result(first);
  const smallest = Math.min(
    ...[target.flopsReduction, target.paramsReduction].filter((r): r is number => r !== undefined && r > 0),
  );
  const hi = await probe(MAX_ASKED_REDUCTION / smallest);
  if (!meets(hi)) {
    throw new PlanError(
      'PLAN_TARGET_UNREACHABLE',
      `the target is out of reach within the scanned ratios and part bounds: the furthest allocation keeps ` +
        `${pct(hi.flops, base.flops)} of the FLOPs (target ${pct(want.flops, base.flops)}) and ` +
        `${pct(hi.params, base.params)} of the parameters (target ${pct(want.params, base.params)}), measured exactly`,
    );
  }
  return result(await leastMeeting(1, hi, probe, meets, (r) => r.k, options.tolerance ?? 0.005));
}
