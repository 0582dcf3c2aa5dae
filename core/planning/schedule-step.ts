// One step of an iterative prune schedule (Torch-Pruning's iterative_steps): the planner's final plan decides
// every group's final width on the original model; step k of n cuts each group to k/n of the way from its
// original width to that final width, on the current (pruned, fine-tuned) model's weights. The last step lands
// on the final widths exactly, so the schedule meets the planner's target with the planner's allocation.
// Re-scaling the plan's ratios on each step's model instead overshoots: after a few steps many narrow groups
// share one width and cross a rounding threshold together (docs/PIPELINE.md, Schedule).

import type { Model } from '../onnx/model';
import { buildChannelGraph } from '../pruning/dependency/channel-graph';
import { buildGroups, type GroupSet } from '../pruning/groups';
import { dropBottlenecks } from '../pruning/layers/drop-bottlenecks';
import { pruneModel } from '../pruning/prune-model';
import { PlanSchema, type PlanInput } from '../pruning/plan/plan-schema';
import { reachableWidths } from '../pruning/plan/reachable-widths';

const widthsOf = (gs: GroupSet) => new Map(gs.groups.map((g) => [g.id, g.components.length]));

/** Every group's width in `original` and once `plan` is applied to it (counts only: nothing is scored). */
export async function scheduleWidths(
  original: Model,
  plan: PlanInput,
): Promise<{ original: Map<string, number>; final: Map<string, number> }> {
  // Per-segment removal counts do not depend on scores, so l1 stands in for any criterion here.
  const { model } = await pruneModel(original, { ...plan, criterion: 'l1' });
  return {
    original: widthsOf(buildGroups(buildChannelGraph(original))),
    final: widthsOf(buildGroups(buildChannelGraph(model))),
  };
}

/**
 * The plan of step `step` (1-based) of `steps` for the current model: per group, the reachable width nearest
 * to the interpolated one (the final width itself on the last step), as a per-layer ratio. Block drops, if
 * the plan has any, happen in the first step. Groups the final model no longer has (dropped) are left alone.
 */
export function scheduleStepPlan(
  original: ReadonlyMap<string, number>,
  final: ReadonlyMap<string, number>,
  current: Model,
  plan: PlanInput,
  step: number,
  steps: number,
): PlanInput {
  const settings = PlanSchema.parse({ ...plan, blocks: undefined, applied_from: undefined });
  // The first step drops the plan's blocks before it cuts channels: widths are reachable on what remains.
  const drops = step === 1 && plan.blocks?.length ? plan.blocks : undefined;
  const gs = buildGroups(buildChannelGraph(drops ? dropBottlenecks(current, drops) : current));
  const reachable = reachableWidths(gs, settings.round_to, settings.min_channels);
  const now = widthsOf(gs);
  const groups: Record<string, number> = {};
  for (const [unit, options] of reachable) {
    const from = original.get(unit);
    const to = final.get(unit);
    if (from === undefined || to === undefined || to >= from) continue;
    const want = step >= steps ? to : from - ((from - to) * step) / steps;
    let best: { width: number; ratio: number } | undefined;
    for (const o of options)
      if (o.width >= to && (!best || Math.abs(o.width - want) < Math.abs(best.width - want))) best = o;
    if (best && best.width < now.get(unit)!) groups[unit] = best.ratio;
  }
  return {
    criterion: settings.criterion,
    reduction: settings.reduction,
    normalization: settings.normalization,
    round_to: settings.round_to,
    min_channels: settings.min_channels,
    seed: settings.seed,
    segment_mode: settings.segment_mode,
    groups,
    ...(drops ? { blocks: drops } : {}),
  };
}
