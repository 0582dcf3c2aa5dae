// From a group's scores and a ratio to channel indices: how many to remove (rounding, minimum widths,
// frozen channels), then the least important ones, skipping any that would empty a split segment.

import type { ChannelGroup, GroupSet } from '../groups';

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

/** Per group channel, the partial tensors ("segments") it belongs to, and each segment's size. */
export interface Segments {
  readonly of: readonly (readonly number[])[];
  readonly size: readonly number[];
}

/**
 * Segments of every group in one pass over the tracked tensors: a tensor holding some but not all of a
 * group's channels (a split output, a slice) must keep min(minChannels, its size) of them, so C2f's chunk
 * never empties.
 */
export function segmentsByGroup(gs: GroupSet): Segments[] {
  const cg = gs.graph;
  const channelOf = new Int32Array(cg.componentCount).fill(-1);
  for (const g of gs.groups) g.components.forEach((c, i) => (channelOf[c] = i));
  const out = gs.groups.map((g) => ({ of: g.components.map((): number[] => []), size: [] as number[] }));
  for (const t of cg.tensors.values()) {
    const byGroup = new Map<number, number[]>();
    for (let c = 0; c < t.channels; c++) {
      const comp = cg.componentOfElement[t.base + c]!;
      const gi = gs.groupOfComponent[comp]!;
      if (gi < 0) continue;
      const list = byGroup.get(gi);
      if (list) list.push(channelOf[comp]!);
      else byGroup.set(gi, [channelOf[comp]!]);
    }
    for (const [gi, all] of byGroup) {
      // A concat may hold one channel several times (C2f: the chunk half and the residual adds along it).
      const members = [...new Set(all)];
      const seg = out[gi]!;
      if (members.length === gs.groups[gi]!.components.length) continue;
      const id = seg.size.length;
      seg.size.push(members.length);
      for (const i of members) seg.of[i]!.push(id);
    }
  }
  return out;
}

export function selectRemoval(
  group: ChannelGroup,
  segments: Segments,
  scores: Float64Array,
  count: number,
  minChannels: number,
): number[] {
  if (count <= 0) return [];
  const { of, size } = segments;
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

/**
 * The distinct channel sets of a group's segments when they partition it (C2f's cv1 group: the two chunk
 * halves), else undefined. Tensors with the same channel set (a half and the residual adds along it) count once.
 */
export function segmentPartition(group: ChannelGroup, segments: Segments): number[][] | undefined {
  const sets = new Map<number, number[]>();
  group.components.forEach((_, i) => {
    for (const s of segments.of[i]!) {
      const list = sets.get(s);
      if (list) list.push(i);
      else sets.set(s, [i]);
    }
  });
  if (sets.size === 0) return undefined;
  const distinct = new Map<string, number[]>();
  for (const list of sets.values()) distinct.set(list.join(','), list);
  const parts = [...distinct.values()];
  const seen = new Set<number>();
  for (const p of parts) {
    for (const i of p) {
      if (seen.has(i)) return undefined;
      seen.add(i);
    }
  }
  return seen.size === group.components.length ? parts : undefined;
}

/**
 * Per-segment selection: each part of the partition loses its own rounded share (so every chunk half keeps a
 * multiple of round_to, as Torch-Pruning's C2f_v2 rewrite would give), lowest scores first within the part.
 */
export function selectPerSegment(
  group: ChannelGroup,
  parts: readonly (readonly number[])[],
  scores: Float64Array,
  ratio: number,
  roundTo: number,
  minChannels: number,
): number[] {
  const removed: number[] = [];
  for (const part of parts) {
    const prunable = part.filter((i) => group.frozen[i] === undefined);
    const count = removalCount(part.length, prunable.length, ratio, roundTo, minChannels);
    prunable.sort((a, b) => scores[a]! - scores[b]! || a - b);
    removed.push(...prunable.slice(0, count));
  }
  return removed.sort((a, b) => a - b);
}
