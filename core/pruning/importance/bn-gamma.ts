// Network Slimming (Liu et al. 2017): a channel is as important as |gamma| of its BatchNormalization.
// Needs the train-form graph; a deploy-form model (BN folded into convs) gets PRUNE_NEEDS_BN up front.

import { PruneError } from '../errors';
import type { Criterion } from './criterion';
import { reduceMembers } from './reductions';

export const bnGammaCriterion: Criterion = {
  name: 'bn-gamma',
  score(group, ctx, { reduction, normalization }) {
    const members = ctx.membersOf(group).filter((m) => m.member.kind === 'bn');
    return reduceMembers(
      group.components.length,
      members,
      (m, c) => Math.abs(m.member.gamma!(c)),
      reduction,
      normalization,
    );
  },
};

/** Throws PRUNE_NEEDS_BN when the model has no BatchNormalization (deploy-form). */
export function requireBatchNorm(opTypes: Iterable<string>): void {
  for (const op of opTypes) if (op === 'BatchNormalization') return;
  throw new PruneError(
    'PRUNE_NEEDS_BN',
    'criterion bn-gamma needs BatchNormalization layers; this model is deploy-form (BN folded into convs): use l1, l2, fpgm, nisp or hrank, or prune the train-form model',
  );
}
