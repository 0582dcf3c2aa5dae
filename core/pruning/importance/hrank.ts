// HRank (Lin et al. 2020): channels whose feature maps have a low average rank carry little information.
// Ranks of the producing convs' output maps are computed over calibration images in runtime/ (onnxruntime
// with extra outputs) and passed in through the context.

import { PruneError } from '../errors';
import type { Criterion } from './criterion';
import { reduceMembers } from './reductions';

export const hrankCriterion: Criterion = {
  name: 'hrank',
  score(group, ctx, { reduction, normalization }) {
    const ranks = ctx.ranks;
    if (!ranks)
      throw new PruneError(
        'PRUNE_CALIBRATION_MISSING',
        'criterion hrank needs calibration images (--calib DIR)',
      );
    const members = ctx
      .membersOf(group)
      .filter((m) => m.member.kind === 'conv-out' && ranks.has(m.member.tensor));
    return reduceMembers(
      group.components.length,
      members,
      (m, c) => ranks.get(m.member.tensor)![c]!,
      reduction,
      normalization,
    );
  },
};

/** The conv output tensors whose ranks hrank needs: every channel-creating conv of every group. */
export function hrankTensors(
  ctx: { groups: { groups: readonly { sourceNodes: readonly string[] }[] } },
  nodeOutputs: ReadonlyMap<string, string>,
): string[] {
  const out: string[] = [];
  for (const g of ctx.groups.groups)
    for (const n of g.sourceNodes) if (nodeOutputs.has(n)) out.push(nodeOutputs.get(n)!);
  return out;
}
