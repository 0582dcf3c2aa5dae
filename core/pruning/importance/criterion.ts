// A criterion scores the channels of one group. Most criteria score each parameter member (a conv's filters,
// a consumer's input columns, a BN's gammas) per channel; the engine normalises each member and reduces
// across members (mean, sum or max). Criteria that need data the graph lacks get it through the context.

import type { ImportanceMember } from '../dependency/op-rule';
import type { ChannelGroup, GroupSet } from '../groups';

/**
 * The one list of criteria: the plan schema, the workflow input, the CLI flags and their help derive from it,
 * and the importance registry must implement each (its test checks).
 */
export const CRITERIA = ['l1', 'l2', 'bn-gamma', 'fpgm', 'random', 'hrank', 'nisp', 'taylor'] as const;
export type CriterionName = (typeof CRITERIA)[number];

export type Reduction = 'mean' | 'sum' | 'max';
export type Normalization = 'mean' | 'max' | 'none';

/** A member restricted to the channels of one group: entries map the member's tensor channel to a group channel. */
export interface GroupMember {
  readonly member: ImportanceMember;
  readonly entries: readonly { readonly tensorChannel: number; readonly groupChannel: number }[];
}

/** Average feature-map rank per channel of a tensor, over calibration images (HRank). Implemented in runtime/. */
export interface ActivationRanks {
  /** Average rank of each channel's H×W map for the given conv output tensors. */
  ranks(tensors: readonly string[]): Promise<ReadonlyMap<string, Float64Array>>;
}

export interface ImportanceContext {
  readonly groups: GroupSet;
  readonly membersOf: (group: ChannelGroup) => readonly GroupMember[];
  readonly seed: number;
  /** Taylor scores by conv node name (one per output channel), from the trainer or a file. */
  readonly externalScores?: ReadonlyMap<string, Float64Array>;
  /** HRank ranks by tensor name, computed before scoring (see hrank.ts). */
  readonly ranks?: ReadonlyMap<string, Float64Array>;
  /** NISP importance per tracked tensor channel, computed once per model (see nisp.ts). */
  readonly nisp?: ReadonlyMap<string, Float64Array>;
}

export interface Criterion {
  readonly name: CriterionName;
  /** One score per group channel; larger means more important. Frozen channels may get any score. */
  score(
    group: ChannelGroup,
    ctx: ImportanceContext,
    options: { reduction: Reduction; normalization: Normalization },
  ): Float64Array;
}
