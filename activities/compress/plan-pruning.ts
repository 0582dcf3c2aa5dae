import type { ArtifactRef } from '../../common/artifact-ref';
import type { CompressModelOptions, Planner } from '../../common/compress-input';
import { decodeModel } from '../../core/onnx';
import {
  buildSensitivityCurves,
  fitAllocationToTarget,
  rankStages,
  resolveTarget,
  REVIEW_STAGE_BOUNDS,
  scalePlanToTarget,
  type ResolvedTarget,
  type SensitivityBaseline,
  type SensitivityPoint,
} from '../../core/planning';
import type { PlanInput } from '../../core/pruning/plan/plan-schema';
import type { PipelineDeps } from './context';
import { pruneDepsFor, type CriterionInputs } from './criterion-inputs';
import { ActivityInputError } from '../input-error';
import { planFromRatios, unitPlan, type PruneSettings } from './prune-steps';

export interface PlanPruningInput {
  planner: Planner;
  prune: PruneSettings;
  target: CompressModelOptions['target'];
  scan?: { baseline: SensitivityBaseline; points: SensitivityPoint[] };
  /** The original model: fixed-ratio planners prune it (dry runs) to scale their ratios to a target. */
  model?: ArtifactRef;
  imgsz?: number;
  /** The baseline's measured latency, for a latency budget. */
  baselineLatencyMs?: number;
  criterionInputs?: CriterionInputs;
}

export interface PlannedPruning {
  plan: PlanInput;
  ref: ArtifactRef;
  /** The scan's curves and stage ranking (sensitivity planner only). */
  sensitivity?: ArtifactRef;
  predicted?: { map50_95: number; flops: number; params: number };
  /** The reductions the plan was made to meet (a latency budget appears as a FLOPs reduction). */
  target?: ResolvedTarget;
  /** Fixed-ratio planners with a target: the factor their ratios were scaled by. */
  scale?: number;
  /** Sensitivity planner: the reductions its additive allocation was asked for to meet the target exactly. */
  allocatedFor?: { flopsReduction?: number; paramsReduction?: number };
}

/** Turns the planner choice (and the scan, for `sensitivity`) into an immutable plan, stored as JSON. */
export function planPruning(deps: PipelineDeps) {
  return async (input: PlanPruningInput): Promise<PlannedPruning> => {
    const json = (value: unknown) =>
      deps.store.put(new TextEncoder().encode(JSON.stringify(value, null, 2)), {
        contentType: 'application/json',
      });
    const target = resolveTarget(input.target, input.baselineLatencyMs);
    const { flopsReduction, paramsReduction } = target;
    const hasTarget = flopsReduction !== undefined || paramsReduction !== undefined;
    const targetInfo = hasTarget ? { target } : {};
    if (input.planner.kind !== 'sensitivity') {
      const ratios = planFromRatios(input.planner, input.prune);
      if (!hasTarget) return { plan: ratios, ref: await json(ratios) };
      if (!input.model)
        throw new ActivityInputError('PLAN_MODEL_MISSING', 'scaling ratios to a target needs the model');
      const model = decodeModel(await deps.store.get(input.model));
      const pruneDeps = await pruneDepsFor(deps, input.prune.criterion, model, input.criterionInputs ?? {});
      const scaled = await scalePlanToTarget(model, ratios, target, { imgsz: input.imgsz, deps: pruneDeps });
      return { plan: scaled.plan, ref: await json(scaled.plan), scale: scaled.scale, ...targetInfo };
    }
    if (!input.scan)
      throw new ActivityInputError('PLAN_SCAN_MISSING', 'the sensitivity planner needs a scan');
    if (!hasTarget) {
      throw new ActivityInputError(
        'PLAN_TARGET_INVALID',
        input.target.latencyMs !== undefined
          ? `the original model already meets the latency budget (${input.baselineLatencyMs} ms <= ${input.target.latencyMs} ms): nothing to plan`
          : 'the sensitivity planner needs target.flopsReduction, target.paramsReduction or target.latencyMs',
      );
    }
    if (!input.model)
      throw new ActivityInputError(
        'PLAN_MODEL_MISSING',
        'fitting the allocation to a target needs the model',
      );
    const curves = buildSensitivityCurves(input.scan.baseline, input.scan.points);
    const ranking = rankStages(input.scan.baseline, curves);
    const model = decodeModel(await deps.store.get(input.model));
    const pruneDeps = await pruneDepsFor(deps, input.prune.criterion, model, input.criterionInputs ?? {});
    const fitted = await fitAllocationToTarget(
      model,
      input.scan.baseline,
      curves,
      { flopsReduction, paramsReduction },
      (units) => unitPlan(units, input.prune),
      { allocation: { bounds: REVIEW_STAGE_BOUNDS }, imgsz: input.imgsz, deps: pruneDeps },
    );
    const { allocation, plan } = fitted;
    const sensitivity = await json({
      baseline: input.scan.baseline,
      points: input.scan.points,
      curves,
      ranking,
      allocation,
    });
    return {
      plan,
      ref: await json(plan),
      sensitivity,
      ...targetInfo,
      allocatedFor: fitted.askedFor,
      predicted: {
        map50_95: allocation.predictedMap50_95,
        flops: allocation.predictedFlops,
        params: allocation.predictedParams,
      },
    };
  };
}
