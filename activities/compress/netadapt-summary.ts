import type { ArtifactRef } from '../../common/artifact-ref';
import { decodeModel, imageInputSize } from '../../core/onnx';
import { buildChannelGraph } from '../../core/pruning/dependency/channel-graph';
import { buildGroups } from '../../core/pruning/groups';
import type { PlanInput } from '../../core/pruning/plan/plan-schema';
import { computeStats, type ModelStats } from '../../core/stats';
import type { PipelineDeps } from './context';

/** The input size of a stored model (its static input, else 640). */
export function modelInputSize(deps: PipelineDeps) {
  return async (input: { model: ArtifactRef }): Promise<number> =>
    imageInputSize(decodeModel(await deps.store.get(input.model))) ?? 640;
}

export interface NetAdaptSummaryInput {
  original: ArtifactRef;
  final: ArtifactRef;
  /** The applied plan of each accepted iteration, in order. */
  steps: ArtifactRef[];
  criterion: string;
  roundTo: number;
  imgsz: number;
}

/**
 * What NetAdapt did, as one stored document: the per-group ratios of the final model against the original
 * (a plan with the same effect on widths, for the report and for reuse) and every iteration's applied plan.
 */
export function netAdaptSummary(deps: PipelineDeps) {
  return async (
    input: NetAdaptSummaryInput,
  ): Promise<{ plan: PlanInput; ref: ArtifactRef; stats: ModelStats }> => {
    const [original, final] = await Promise.all([
      deps.store.get(input.original),
      deps.store.get(input.final),
    ]);
    const widths = (bytes: Uint8Array) =>
      new Map(
        buildGroups(buildChannelGraph(decodeModel(bytes))).groups.map((g) => [g.id, g.components.length]),
      );
    const [before, after] = [widths(original), widths(final)];
    const groups: Record<string, number> = {};
    for (const [id, w] of after) {
      const full = before.get(id);
      if (full && w < full) groups[id] = Number((1 - w / full).toFixed(4));
    }
    const plan: PlanInput = {
      criterion: input.criterion as PlanInput['criterion'],
      round_to: input.roundTo,
      groups,
    };
    const steps = await Promise.all(
      input.steps.map(
        async (ref) => JSON.parse(new TextDecoder().decode(await deps.store.get(ref))) as unknown,
      ),
    );
    const ref = await deps.store.put(new TextEncoder().encode(JSON.stringify({ plan, steps }, null, 2)), {
      contentType: 'application/json',
    });
    return { plan, ref, stats: computeStats(decodeModel(final), { imgsz: input.imgsz, form: 'deploy' }) };
  };
}
