// The exact cost of a per-unit ratio plan, without pruning: FLOPs and parameters as computeStats counts them
// in the deploy form (BN folded), as a function of each unit's ratio. A conv's cost is bilinear in the kept
// channels of its input and output tensors (AMC's own cost model: FLOPs × in-keep × out-keep), a folded
// BatchNormalization's (the bias it leaves) and an unfolded one's linear in its channels,
// and a tensor's kept channels are, per group part, the engine's own rounding (removalCount with round_to and
// min_channels, per split segment as the per-segment mode cuts them). So for per-segment plans on YOLO graphs
// this is the pruned model's exact cost (tested against pruneModel + computeStats), in microseconds: AMC's
// resource constraint evaluates it a few thousand times per episode.
//
// Costs the model does not follow (MatMul inside attention, convs inside a pattern) are kept at their full
// value: the model then over-estimates the pruned cost, so a plan it accepts still meets the target.

import { removalCount } from '../../pruning/plan/select-channels';

/** Plain data (stored in the search state). Arrays are indexed by part, tensor or term. */
export interface CostModel {
  roundTo: number;
  minChannels: number;
  /** Per part: its unit, channel count, and removable channels. */
  partUnit: number[];
  partSize: number[];
  partPrunable: number[];
  /** Per tensor: channels no unit removes, and (part, multiplicity) pairs: kept = fixed + Σ mult·kept(part). */
  tensorFixed: number[];
  tensorParts: [part: number, mult: number][][];
  /** Per term: cost = coefficient × kept(a) × kept(b) (a or b = -1: factor 1). */
  termFlops: number[];
  termParams: number[];
  termA: number[];
  termB: number[];
  /** Everything the terms do not cover. */
  constant: { flops: number; params: number };
  /** False when some part appears partially in a tensor (not a partition): the cost is then approximate. */
  exact: boolean;
}

export interface Cost {
  flops: number;
  params: number;
}

/** Removed channels of every part for per-unit ratios. */
export function removedPerPart(m: CostModel, ratios: ArrayLike<number>): Float64Array {
  const out = new Float64Array(m.partUnit.length);
  for (let p = 0; p < out.length; p++) {
    out[p] = removalCount(
      m.partSize[p]!,
      m.partPrunable[p]!,
      ratios[m.partUnit[p]!]!,
      m.roundTo,
      m.minChannels,
    );
  }
  return out;
}

/** The pruned model's cost for per-unit ratios (index = unit). */
export function costOf(m: CostModel, ratios: ArrayLike<number>): Cost {
  const removed = removedPerPart(m, ratios);
  const kept = new Float64Array(m.tensorFixed.length);
  for (let t = 0; t < kept.length; t++) {
    let k = m.tensorFixed[t]!;
    for (const [p, mult] of m.tensorParts[t]!) k += mult * (m.partSize[p]! - removed[p]!);
    kept[t] = k;
  }
  let flops = m.constant.flops;
  let params = m.constant.params;
  for (let i = 0; i < m.termA.length; i++) {
    const a = m.termA[i]!;
    const b = m.termB[i]!;
    const f = (a < 0 ? 1 : kept[a]!) * (b < 0 ? 1 : kept[b]!);
    flops += m.termFlops[i]! * f;
    params += m.termParams[i]! * f;
  }
  return { flops, params };
}

export const meets = (c: Cost, limit: Cost) => c.flops <= limit.flops && c.params <= limit.params;
