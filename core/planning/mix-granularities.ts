// Mixed granularity: depth and width cuts under one target. A share of the FLOPs target is taken by dropping
// whole blocks (cheapest measured mAP loss per FLOPs first, as at `layer` granularity), the rest by the
// sensitivity allocation of channel ratios per module, fitted to the exact cost of the model the drops leave.
// The planner builds one candidate per share and keeps the one with the best measured accuracy per latency:
// depth cuts often buy more real speed per FLOP than width cuts, but cost more accuracy.

import type { Model } from '../onnx/model';
import { pruneModel, type PruneDeps } from '../pruning/prune-model';
import type { PlanInput } from '../pruning/plan/plan-schema';
import { computeStats } from '../stats';
import { REVIEW_PART_BOUNDS } from './allocate-ratios';
import type { ReductionTarget } from './reduction-target';
import { fitAllocationToTarget } from './fit-allocation';
import { selectDropsToTarget } from './select-drops';
import type { SensitivityBaseline, SensitivityCurve, SensitivityPoint } from './sensitivity-types';

export interface MixCandidate {
  /** Share of the FLOPs target asked of block drops. */
  share: number;
  plan: PlanInput;
  drops: string[];
  flops: number;
  params: number;
}

export async function planMix(
  model: Model,
  baseline: SensitivityBaseline,
  moduleCurves: readonly SensitivityCurve[],
  blockPoints: readonly SensitivityPoint[],
  target: ReductionTarget,
  share: number,
  base: Pick<PlanInput, 'criterion' | 'round_to'>,
  options: {
    imgsz?: number;
    deps?: PruneDeps;
    /** The most any unit of a part may lose (the planner's `stageBounds`); default the review's. */
    stageBounds?: Readonly<Record<'backbone' | 'neck' | 'head', number>>;
  } = {},
): Promise<MixCandidate> {
  const stats = (m: Model) => computeStats(m, { imgsz: options.imgsz, form: 'deploy' });
  const start = stats(model);
  let drops: string[] = [];
  let rest = model;
  if (share > 0 && target.flopsReduction !== undefined) {
    const selected = await selectDropsToTarget(
      model,
      baseline,
      blockPoints,
      { flopsReduction: share * target.flopsReduction },
      base,
      options,
    );
    drops = selected.blocks;
    rest = (await pruneModel(model, selected.plan, options.deps)).model;
  }
  const after = stats(rest);
  // What the channels must still remove, relative to the model the drops leave.
  const relative = (want: number | undefined, now: number, was: number) =>
    want === undefined ? undefined : 1 - (1 - want) / (now / was);
  const remaining: ReductionTarget = {
    flopsReduction: relative(target.flopsReduction, after.flops, start.flops),
    paramsReduction: relative(target.paramsReduction, after.params, start.params),
  };
  const needsChannels = (remaining.flopsReduction ?? 0) > 0 || (remaining.paramsReduction ?? 0) > 0;
  const withDrops = drops.length ? { blocks: drops } : {};
  if (!needsChannels)
    return { share, plan: { ...base, ...withDrops }, drops, flops: after.flops, params: after.params };
  const positive = (v: number | undefined) => (v !== undefined && v > 0 ? v : undefined);
  const fitted = await fitAllocationToTarget(
    rest,
    baseline,
    moduleCurves,
    {
      ...(positive(remaining.flopsReduction) ? { flopsReduction: positive(remaining.flopsReduction) } : {}),
      ...(positive(remaining.paramsReduction)
        ? { paramsReduction: positive(remaining.paramsReduction) }
        : {}),
    },
    (units) => ({ ...base, modules: units }),
    {
      allocation: { bounds: options.stageBounds ?? REVIEW_PART_BOUNDS },
      imgsz: options.imgsz,
      deps: options.deps,
    },
  );
  return {
    share,
    plan: { ...fitted.plan, ...withDrops },
    drops,
    flops: fitted.flops,
    params: fitted.params,
  };
}
