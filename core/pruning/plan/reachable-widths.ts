// The widths a per-group ratio can actually give, counted the way pruneModel counts (per segment where a
// group's segments partition it, each part rounded to round_to on its own). Search planners that think in
// widths (NetAdapt, its latency table) use this so that the width they predict is the width the engine cuts:
// a C2f cv1 group of 32 channels in two halves of 16, round_to 8, cannot be cut to 24 — each half rounds back
// to 16 — and asking for 24 would prune nothing.

import { prunableChannels, type ChannelGroup, type GroupSet } from '../groups';
import { removalCount, segmentPartition, segmentsByGroup } from './select-channels';

export interface ReachableWidth {
  /** Channels the group keeps. */
  readonly width: number;
  /** The plan ratio (fraction of the group's width removed) that keeps exactly `width`. */
  readonly ratio: number;
}

/** Channels pruneModel removes from `group` for `ratio` in per-segment mode (`parts`: its segment partition). */
export function plannedRemoval(
  group: ChannelGroup,
  parts: readonly (readonly number[])[] | undefined,
  ratio: number,
  roundTo: number,
  minChannels: number,
): number {
  const removal = (of: readonly number[]) =>
    removalCount(
      of.length,
      of.filter((i) => group.frozen[i] === undefined).length,
      ratio,
      roundTo,
      minChannels,
    );
  if (!parts) return removal(group.components.map((_, i) => i));
  return parts.reduce((n, part) => n + removal(part), 0);
}

/**
 * Per prunable group id, every width below the full one that some ratio reaches, widest first, each with the
 * smallest ratio that gives it (ratios tried: the multiples of round_to of the whole width).
 */
export function reachableWidths(
  gs: GroupSet,
  roundTo: number,
  minChannels: number,
): Map<string, ReachableWidth[]> {
  const segments = segmentsByGroup(gs);
  const out = new Map<string, ReachableWidth[]>();
  gs.groups.forEach((g, gi) => {
    if (prunableChannels(g).length === 0) return;
    const full = g.components.length;
    const parts = segmentPartition(g, segments[gi]!);
    const list: ReachableWidth[] = [];
    for (let w = Math.ceil(full / roundTo) * roundTo - roundTo; w >= 0; w -= roundTo) {
      const ratio = 1 - w / full;
      const width = full - plannedRemoval(g, parts, ratio, roundTo, minChannels);
      if (width < (list.at(-1)?.width ?? full)) list.push({ width, ratio });
    }
    if (list.length > 0) out.set(g.id, list);
  });
  return out;
}
