import type { ArtifactRef } from '../../common/artifact-ref';
import { decodeModel, encodeModel } from '../../core/onnx';
import { pruneModel } from '../../core/pruning/prune-model';
import type { PlanInput } from '../../core/pruning/plan/plan-schema';
import { computeStats, type ModelStats } from '../../core/stats';
import { memoized, type PipelineDeps } from './context';
import { pruneDepsFor, type CriterionInputs } from './prune-deps';

export interface AppliedPruning {
  model: ArtifactRef;
  appliedPlan: ArtifactRef;
  stats: ModelStats;
  groups: number;
  frozen: number;
  removedChannels: number;
}

/** Applies a plan; the pruned model and the plan as applied (explicit channel lists) are stored. */
export function applyPruning(deps: PipelineDeps) {
  return (input: {
    model: ArtifactRef;
    plan: PlanInput;
    imgsz?: number;
    criterionInputs?: CriterionInputs;
  }): Promise<AppliedPruning> =>
    memoized(deps, 'applyPruning', input, async () => {
      const model = decodeModel(await deps.store.get(input.model));
      const criterion = input.plan.criterion ?? 'l1';
      const pruneDeps = await pruneDepsFor(deps, criterion, model, input.criterionInputs ?? {});
      const result = await pruneModel(model, input.plan, pruneDeps);
      const bytes = encodeModel(result.model);
      const ref = await deps.store.put(bytes);
      const appliedPlan = await deps.store.put(
        new TextEncoder().encode(JSON.stringify(result.applied, null, 2)),
        {
          contentType: 'application/json',
        },
      );
      return {
        model: ref,
        appliedPlan,
        stats: computeStats(result.model, { imgsz: input.imgsz, form: 'deploy' }),
        groups: result.groups,
        frozen: result.frozen.length,
        removedChannels: result.removedChannels,
      };
    });
}
