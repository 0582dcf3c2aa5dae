import type { ArtifactRef } from '../../common/artifact-ref';
import type { CompressModelOptions, Planner } from '../../common/compress-input';
import {
  allocateSensitivityRatios,
  buildSensitivityCurves,
  rankStages,
  REVIEW_STAGE_BOUNDS,
  type SensitivityBaseline,
  type SensitivityPoint,
} from '../../core/planning';
import type { PlanInput } from '../../core/pruning/plan/plan-schema';
import type { PipelineDeps } from './context';
import { ActivityInputError } from '../input-error';
import { planFromRatios, type PruneSettings } from './prune-steps';

export interface PlanPruningInput {
  planner: Planner;
  prune: PruneSettings;
  target: CompressModelOptions['target'];
  scan?: { baseline: SensitivityBaseline; points: SensitivityPoint[] };
}

export interface PlannedPruning {
  plan: PlanInput;
  ref: ArtifactRef;
  /** The scan's curves and stage ranking (sensitivity planner only). */
  sensitivity?: ArtifactRef;
  predicted?: { map50_95: number; flops: number; params: number };
}

/** Turns the planner choice (and the scan, for `sensitivity`) into an immutable plan, stored as JSON. */
export function planPruning(deps: PipelineDeps) {
  return async (input: PlanPruningInput): Promise<PlannedPruning> => {
    const json = (value: unknown) =>
      deps.store.put(new TextEncoder().encode(JSON.stringify(value, null, 2)), {
        contentType: 'application/json',
      });
    if (input.planner.kind !== 'sensitivity') {
      const plan = planFromRatios(input.planner, input.prune);
      return { plan, ref: await json(plan) };
    }
    if (!input.scan)
      throw new ActivityInputError('PLAN_SCAN_MISSING', 'the sensitivity planner needs a scan');
    const { flopsReduction, paramsReduction } = input.target;
    if (flopsReduction === undefined && paramsReduction === undefined) {
      throw new ActivityInputError(
        'PLAN_TARGET_INVALID',
        'the sensitivity planner needs target.flopsReduction or target.paramsReduction',
      );
    }
    const curves = buildSensitivityCurves(input.scan.baseline, input.scan.points);
    const ranking = rankStages(input.scan.baseline, curves);
    const allocation = allocateSensitivityRatios(
      input.scan.baseline,
      curves,
      { flopsReduction, paramsReduction },
      { bounds: REVIEW_STAGE_BOUNDS },
    );
    const plan: PlanInput = {
      criterion: input.prune.criterion as PlanInput['criterion'],
      round_to: input.prune.roundTo,
      modules: allocation.modules,
    };
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
      predicted: {
        map50_95: allocation.predictedMap50_95,
        flops: allocation.predictedFlops,
        params: allocation.predictedParams,
      },
    };
  };
}
