// Taylor (Molchanov et al. 2019): |gradient × activation| per channel, accumulated by the trainer over real
// batches. The engine only reads the scores (by conv node name, one per output channel).

import { PruneError } from '../errors';
import type { Criterion } from './criterion';
import { reduceMembers } from './reductions';

export const taylorCriterion: Criterion = {
  name: 'taylor',
  score(group, ctx, { reduction, normalization }) {
    const scores = ctx.externalScores;
    if (!scores)
      throw new PruneError(
        'PRUNE_SCORES_INVALID',
        'criterion taylor needs a scores file (per conv node name, one score per output channel)',
      );
    const members = ctx
      .membersOf(group)
      .filter((m) => m.member.kind === 'conv-out' && scores.has(m.member.node));
    if (members.length === 0)
      throw new PruneError(
        'PRUNE_SCORES_INVALID',
        `no taylor scores for group ${group.id} (expected scores for ${group.sourceNodes.join(', ')})`,
      );
    return reduceMembers(
      group.components.length,
      members,
      (m, c) => {
        const v = scores.get(m.member.node)![c];
        if (v === undefined || !Number.isFinite(v))
          throw new PruneError('PRUNE_SCORES_INVALID', `taylor scores of ${m.member.node} lack channel ${c}`);
        return Math.abs(v);
      },
      reduction,
      normalization,
    );
  },
};
