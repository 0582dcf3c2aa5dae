// From a group's scores and a ratio to channel indices: how many to remove (rounding, minimum widths,
// frozen channels), then the least important ones, skipping any that would empty a split segment.

import type { ChannelGraph } from '../dependency/channel-graph';
import type { ChannelGroup } from '../groups';

/** Channels to remove for `ratio` of `total`, keeping a multiple of roundTo and at least minChannels. */
export function removalCount(
  total: number,
  prunable: number,
  ratio: number,
  roundTo: number,
  minChannels: number,
): number {
  if (ratio <= 0 || prunable === 0) return 0;
  let keep = roundTo * Math.max(1, Math.round((total * (1 - ratio)) / roundTo));
  keep = Math.max(keep, Math.min(minChannels, total), total - prunable);
  return Math.max(0, total - keep);
}

/**
 * Per group channel, the partial tensors ("segments": split outputs, slices) it belongs to, with each
 * segment's size. A segment must keep min(minChannels, size) channels, so C2f's chunk never empties.
 */
export function segmentsOf(cg: ChannelGraph, group: ChannelGroup): { of: number[][]; size: number[] } {
  const channelOf = new Map(group.components.map((c, i) => [c, i]));
  const of: number[][] = group.components.map(() => []);
  const size: number[] = [];
  for (const t of cg.tensors.values()) {
    const members: number[] = [];
    for (let c = 0; c < t.channels; c++) {
      const i = channelOf.get(cg.componentOfElement[t.base + c]!);
      if (i !== undefined) members.push(i);
    }
    if (members.length === 0 || members.length === group.components.length) continue;
    const id = size.length;
    size.push(members.length);
    for (const i of members) of[i]!.push(id);
  }
  return { of, size };
}

export function selectRemoval(
  cg: ChannelGraph,
  group: ChannelGroup,
  scores: Float64Array,
  count: number,
  minChannels: number,
): number[] {
  if (count <= 0) return [];
  const { of, size } = segmentsOf(cg, group);
  const left = size.slice();
  const candidates = group.components.map((_, i) => i).filter((i) => group.frozen[i] === undefined);
  candidates.sort((a, b) => scores[a]! - scores[b]! || a - b);
  const removed: number[] = [];
  for (const i of candidates) {
    if (removed.length >= count) break;
    if (of[i]!.some((s) => left[s]! - 1 < Math.min(minChannels, size[s]!))) continue;
    for (const s of of[i]!) left[s]!--;
    removed.push(i);
  }
  return removed.sort((a, b) => a - b);
}
