export * from './errors';
export type { FrozenReason, FrozenReasonKind, OpRule, ImportanceMember } from './dependency/op-rule';
export { OpRegistry } from './dependency/op-registry';
export { createDefaultRegistry, defaultRegistry } from './dependency/default-registry';
export { buildChannelGraph, componentOf, type ChannelGraph } from './dependency/channel-graph';
export {
  buildGroups,
  prunableChannels,
  type ChannelGroup,
  type FrozenGroupReport,
  type GroupSet,
} from './groups';
export { removeComponents, keptChannels } from './surgery/remove-channels';
export { zeroRemovedInputs } from './surgery/zero-removed-inputs';
export * from './importance';
export { PlanSchema, type Plan, type PlanInput } from './plan/plan-schema';
export { parsePlan, parseStages, DEFAULT_STAGES } from './plan/parse-plan';
export { dropBottlenecks } from './layers/drop-bottlenecks';
export { pruneModel, type PruneDeps, type PruneResult } from './prune-model';
