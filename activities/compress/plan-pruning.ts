import type { ArtifactRef } from '../../common/artifact-ref';
import type { CompressModelOptions, Planner } from '../../common/compress-input';
import { decodeModel } from '../../core/onnx';
import {
  buildSensitivityCurves,
  fitAllocationToTarget,
  rankParts,
  resolveTarget,
  REVIEW_PART_BOUNDS,
  PlanError,
  planMix,
  scalePlanToTarget,
  selectDropsToTarget,
  type ReductionTarget,
  type ResolvedTarget,
  type SensitivityBaseline,
  type SensitivityPoint,
} from '../../core/planning';
import type { PlanInput } from '../../core/pruning/plan/plan-schema';
import type { PipelineDeps } from './context';
import { pruneDepsFor, type CriterionInputs } from './prune-deps';
import { ActivityInputError } from '../input-error';
import { planFromRatios, unitPlan, type PruneSettings } from '../../core/planning/unit-plans';

interface PlanPruningCommon {
  prune: PruneSettings;
  target: CompressModelOptions['target'];
  /** The model to plan on: fixed-ratio planners prune it (dry runs) to scale their ratios to a target. */
  model: ArtifactRef;
  imgsz?: number;
  /** The baseline's measured latency, for a latency budget. */
  baselineLatencyMs?: number;
  criterionInputs?: CriterionInputs;
}

/** Fixed ratios (`staged`, `uniform`), or the sensitivity planner with its scan. */
export type PlanPruningInput =
  | (PlanPruningCommon & { planner: Extract<Planner, { kind: 'staged' | 'uniform' }> })
  | (PlanPruningCommon & {
      planner: Extract<Planner, { kind: 'sensitivity' }>;
      scan: { baseline: SensitivityBaseline; points: SensitivityPoint[] };
    });

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
  allocatedFor?: ReductionTarget;
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
    // Fixed ratios (staged, uniform) come without a scan; the sensitivity planner's with one.
    if (!('scan' in input)) {
      const ratios = planFromRatios(input.planner, input.prune);
      if (!hasTarget) return { plan: ratios, ref: await json(ratios) };
      const model = decodeModel(await deps.store.get(input.model));
      const pruneDeps = await pruneDepsFor(deps, input.prune.criterion, model, input.criterionInputs ?? {});
      const scaled = await scalePlanToTarget(model, ratios, target, { imgsz: input.imgsz, deps: pruneDeps });
      return { plan: scaled.plan, ref: await json(scaled.plan), scale: scaled.scale, ...targetInfo };
    }
    if (!hasTarget) {
      throw new ActivityInputError(
        'PLAN_TARGET_INVALID',
        input.target.latencyMs !== undefined
          ? `the original model already meets the latency budget (${input.baselineLatencyMs} ms <= ${input.target.latencyMs} ms): nothing to plan`
          : 'the sensitivity planner needs target.flopsReduction, target.paramsReduction or target.latencyMs',
      );
    }
    const model = decodeModel(await deps.store.get(input.model));
    const pruneDeps = await pruneDepsFor(deps, input.prune.criterion, model, input.criterionInputs ?? {});
    if (input.prune.granularity === 'block') {
      const drops = await selectDropsToTarget(
        model,
        input.scan.baseline,
        input.scan.points,
        { flopsReduction, paramsReduction },
        { criterion: input.prune.criterion as PlanInput['criterion'], round_to: input.prune.roundTo },
        { imgsz: input.imgsz, deps: pruneDeps },
      );
      const sensitivity = await json({
        baseline: input.scan.baseline,
        points: input.scan.points,
        drops: drops.blocks,
      });
      return {
        plan: drops.plan,
        ref: await json(drops.plan),
        sensitivity,
        ...targetInfo,
        predicted: { map50_95: drops.predictedMap50_95, flops: drops.flops, params: drops.params },
      };
    }
    const curves = buildSensitivityCurves(input.scan.baseline, input.scan.points);
    const ranking = rankParts(input.scan.baseline, curves);
    const fitted = await fitAllocationToTarget(
      model,
      input.scan.baseline,
      curves,
      { flopsReduction, paramsReduction },
      (units) => unitPlan(units, input.prune),
      {
        allocation: {
          bounds: input.planner.stageBounds ?? REVIEW_PART_BOUNDS,
        },
        imgsz: input.imgsz,
        deps: pruneDeps,
      },
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

export interface PlanMixesInput {
  model: ArtifactRef;
  prune: PruneSettings;
  /** The sensitivity planner's `stageBounds`, for the channel part (default the review's). */
  stageBounds?: Record<'backbone' | 'neck' | 'head', number>;
  target: CompressModelOptions['target'];
  /** The module scan and the block scan (sensitivity planner at `mixed` granularity). */
  modules: { baseline: SensitivityBaseline; points: SensitivityPoint[] };
  blocks: { baseline: SensitivityBaseline; points: SensitivityPoint[] };
  shares: number[];
  imgsz?: number;
  baselineLatencyMs?: number;
  criterionInputs?: CriterionInputs;
}

/**
 * Candidate plans mixing block drops (a `share` of the FLOPs target) and channel ratios (the rest), one per
 * share; shares the drops cannot reach are left out. The workflow measures each and keeps the best.
 */
export function planMixes(deps: PipelineDeps) {
  return async (
    input: PlanMixesInput,
  ): Promise<{ share: number; plan: PlanInput; ref: ArtifactRef; drops: string[] }[]> => {
    const target = resolveTarget(input.target, input.baselineLatencyMs);
    if (target.flopsReduction === undefined && target.paramsReduction === undefined)
      throw new ActivityInputError(
        'PLAN_TARGET_INVALID',
        'mixed granularity needs a FLOPs, params or latency target',
      );
    const model = decodeModel(await deps.store.get(input.model));
    const pruneDeps = await pruneDepsFor(deps, input.prune.criterion, model, input.criterionInputs ?? {});
    const curves = buildSensitivityCurves(input.modules.baseline, input.modules.points);
    const base = {
      criterion: input.prune.criterion as PlanInput['criterion'],
      round_to: input.prune.roundTo,
    };
    const out = [];
    for (const share of input.shares) {
      try {
        const c = await planMix(
          model,
          input.blocks.baseline,
          curves,
          input.blocks.points,
          target,
          share,
          base,
          {
            imgsz: input.imgsz,
            deps: pruneDeps,
            ...(input.stageBounds ? { stageBounds: input.stageBounds } : {}),
          },
        );
        const ref = await deps.store.put(new TextEncoder().encode(JSON.stringify(c.plan, null, 2)), {
          contentType: 'application/json',
        });
        out.push({ share, plan: c.plan, ref, drops: c.drops });
      } catch (err) {
        if (err instanceof PlanError && err.code === 'PLAN_TARGET_UNREACHABLE') continue;
        throw err;
      }
    }
    if (out.length === 0)
      throw new PlanError(
        'PLAN_TARGET_UNREACHABLE',
        'no mix of block drops and channel ratios meets the target',
      );
    return out;
  };
}
