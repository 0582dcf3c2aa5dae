// FPGM (He et al. 2019): a filter near the geometric median of its layer's filters is redundant. Score =
// sum of Euclidean distances from the filter to every other filter of the same conv (larger: keep).

import type { Criterion } from './criterion';
import { reduceMembers } from './reductions';

export const fpgmCriterion: Criterion = {
  name: 'fpgm',
  score(group, ctx, { reduction, normalization }) {
    const members = ctx
      .membersOf(group)
      .filter((m) => m.member.kind === 'conv-out' || m.member.kind === 'depthwise');
    const cache = new Map<object, Map<number, number>>();
    return reduceMembers(
      group.components.length,
      members,
      (m, c) => {
        let scores = cache.get(m);
        if (!scores) {
          const filters = m.entries.map((e) => m.member.slice(e.tensorChannel));
          // Pairwise distances are symmetric: compute each once.
          const totals = new Float64Array(filters.length);
          for (let i = 0; i < filters.length; i++) {
            const a = filters[i]!;
            for (let j = i + 1; j < filters.length; j++) {
              const b = filters[j]!;
              let d = 0;
              for (let k = 0; k < a.length; k++) {
                const x = a[k]! - b[k]!;
                d += x * x;
              }
              const dist = Math.sqrt(d);
              totals[i]! += dist;
              totals[j]! += dist;
            }
          }
          scores = new Map(m.entries.map((e, i) => [e.tensorChannel, totals[i]!]));
          cache.set(m, scores);
        }
        return scores.get(c)!;
      },
      reduction,
      normalization,
    );
  },
};
