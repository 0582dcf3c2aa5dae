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
          scores = new Map();
          for (let i = 0; i < filters.length; i++) {
            let total = 0;
            const a = filters[i]!;
            for (let j = 0; j < filters.length; j++) {
              if (i === j) continue;
              const b = filters[j]!;
              let d = 0;
              for (let k = 0; k < a.length; k++) d += (a[k]! - b[k]!) ** 2;
              total += Math.sqrt(d);
            }
            scores.set(m.entries[i]!.tensorChannel, total);
          }
          cache.set(m, scores);
        }
        return scores.get(c)!;
      },
      reduction,
      normalization,
    );
  },
};
