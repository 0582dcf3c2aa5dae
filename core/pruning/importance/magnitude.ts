// Filter norms (Li et al. 2017; Torch-Pruning's MagnitudeImportance): every parameter slice of a channel
// contributes — the producing conv's filter, the consuming convs' input columns, BN's affine weight.
// `l2` sums squares (as Torch-Pruning's p=2 does), `l1` sums absolute values.

import type { Criterion, CriterionName } from './criterion';
import { reduceMembers } from './reductions';

function magnitude(name: CriterionName, p: 1 | 2): Criterion {
  return {
    name,
    score(group, ctx, { reduction, normalization }) {
      return reduceMembers(
        group.components.length,
        ctx.membersOf(group),
        (m, c) => {
          if (m.member.norms) return m.member.norms(p)[c]!;
          let s = 0;
          for (const w of m.member.slice(c)) s += p === 1 ? Math.abs(w) : w * w;
          return s;
        },
        reduction,
        normalization,
      );
    },
  };
}

export const l1Criterion = magnitude('l1', 1);
export const l2Criterion = magnitude('l2', 2);
