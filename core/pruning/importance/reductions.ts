import type { GroupMember, Normalization, Reduction } from './criterion';

/**
 * Combines per-member, per-channel values into one score per group channel: each member's values are
 * normalised (divided by their mean or max over the member's entries) so large layers do not drown small
 * ones, then reduced across the members that cover each channel.
 */
export function reduceMembers(
  channels: number,
  members: readonly GroupMember[],
  valueOf: (m: GroupMember, tensorChannel: number) => number,
  reduction: Reduction,
  normalization: Normalization,
): Float64Array {
  const acc = new Float64Array(channels).fill(reduction === 'max' ? -Infinity : 0);
  const counts = new Float64Array(channels);
  for (const m of members) {
    const values = m.entries.map((e) => valueOf(m, e.tensorChannel));
    let scale = 1;
    if (normalization === 'mean') scale = values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
    else if (normalization === 'max') scale = Math.max(...values);
    if (!(scale > 0)) scale = 1;
    m.entries.forEach((e, i) => {
      const v = values[i]! / scale;
      const g = e.groupChannel;
      acc[g] = reduction === 'max' ? Math.max(acc[g]!, v) : acc[g]! + v;
      counts[g]!++;
    });
  }
  for (let g = 0; g < channels; g++) {
    if (counts[g] === 0) acc[g] = 0;
    else if (reduction === 'mean') acc[g]! /= counts[g]!;
  }
  return acc;
}
