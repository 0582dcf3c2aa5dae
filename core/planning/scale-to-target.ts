// A ratio plan (staged, uniform, or per-unit ratios from the sensitivity or AMC planners) with a FLOPs or
// parameter target: the ratios give the proportions between units, the target gives the scale. One factor multiplies every ratio, found by bisection on the
// exact statistics of the pruned model (the engine prunes for real at each probe), so rounding to `round_to`
// and coupled groups are accounted for, not estimated. Pruned cost only falls as the factor grows, which is
// what makes bisection valid.

import type { Model } from '../onnx/model';
import { pruneModel, type PruneDeps } from '../pruning/prune-model';
import type { PlanInput } from '../pruning/plan/plan-schema';
import { planRatios, scalePlan } from '../pruning/plan/plan-ratios';
import { computeStats } from '../stats';
import { PlanError } from './errors';
import { costLimit, leastMeeting, pct, withinLimit } from './exact-cost-search';
import type { ReductionTarget } from './reduction-target';

export interface ScaledPlan {
  plan: PlanInput;
  /** The factor every ratio was multiplied by. */
  scale: number;
  /** Exact cost of the model the plan produces, and of the original. */
  flops: number;
  params: number;
  baseFlops: number;
  baseParams: number;
}

/** No ratio is scaled beyond this: the engine would keep only `min_channels` and the model would be useless. */
export const MAX_SCALED_RATIO = 0.9;

const ratiosOf = planRatios;
const scaled = (plan: PlanInput, s: number) => scalePlan(plan, s, MAX_SCALED_RATIO);

/**
 * Scales the ratios of a plan (global, stages, modules, hidden widths, layers) so the pruned model meets every
 * named reduction with the least scale (to within `tolerance` of the factor). Throws PLAN_TARGET_UNREACHABLE
 * when even every ratio at MAX_SCALED_RATIO falls short, PLAN_TARGET_INVALID when the plan has no ratio to
 * scale.
 */
export async function scalePlanToTarget(
  model: Model,
  plan: PlanInput,
  target: ReductionTarget,
  options: { imgsz?: number; deps?: PruneDeps; tolerance?: number } = {},
): Promise<ScaledPlan> {
  const ratios = ratiosOf(plan).filter((r) => r > 0);
  if (ratios.length === 0)
    throw new PlanError(
      'PLAN_TARGET_INVALID',
      'a reduction target needs at least one positive ratio to scale',
    );
  const stats = (m: Model) => computeStats(m, { imgsz: options.imgsz, form: 'deploy' });
  const base = stats(model);
  const meets = withinLimit(costLimit(base, target));
  const probe = async (s: number) => {
    const p = scaled(plan, s);
    const out = stats((await pruneModel(model, p, options.deps)).model);
    return { plan: p, scale: s, flops: out.flops, params: out.params };
  };

  const hi = await probe(MAX_SCALED_RATIO / Math.max(...ratios));
  if (!meets(hi)) {
    throw new PlanError(
      'PLAN_TARGET_UNREACHABLE',
      `the target (${describe(target)}) is out of reach for these ratios: scaled until a ratio reaches ` +
        `${MAX_SCALED_RATIO}, the model keeps ${pct(hi.flops, base.flops)} of its FLOPs and ` +
        `${pct(hi.params, base.params)} of its parameters`,
    );
  }
  const least = await leastMeeting(0, hi, probe, meets, (r) => r.scale, options.tolerance ?? 0.005);
  return { ...least, baseFlops: base.flops, baseParams: base.params };
}

const describe = (t: ReductionTarget) =>
  [
    t.flopsReduction !== undefined ? `FLOPs −${t.flopsReduction}` : '',
    t.paramsReduction !== undefined ? `params −${t.paramsReduction}` : '',
  ]
    .filter(Boolean)
    .join(', ');
