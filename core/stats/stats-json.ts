import type { ModelStats } from './model-stats';

/** The JSON object `stageprune model stats --json` prints, and `prune --json` reports before and after. */
export function statsJson(s: ModelStats) {
  return {
    params: s.params,
    flops: s.flops,
    stages: s.stages,
    modules: s.modules,
    unattributed: s.unattributed,
    unknownOps: s.unknownOps,
    unknownNodes: s.unknownNodes,
    uncosted: s.uncosted,
    inputShape: s.inputShape,
    form: s.form,
    foldedBatchNorms: s.foldedBatchNorms,
  };
}
