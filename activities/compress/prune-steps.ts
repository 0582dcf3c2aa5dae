import type { ArtifactRef } from '../../common/artifact-ref';
import type { Planner } from '../../common/compress-input';
import { exportDeployForm } from '../../core/export';
import { decodeModel, encodeModel } from '../../core/onnx';
import { buildChannelGraph } from '../../core/pruning/dependency/channel-graph';
import { buildGroups, prunableChannels } from '../../core/pruning/groups';
import { pruneModel } from '../../core/pruning/prune-model';
import type { PlanInput } from '../../core/pruning/plan/plan-schema';
import { computeStats, type ModelStats } from '../../core/stats';
import { stageMapOf, stageOfModule } from '../../core/yolo/stage-map';
import { memoized, type PipelineDeps } from './context';
import { pruneDepsFor, type CriterionInputs } from './criterion-inputs';
import { evaluateModel } from './evaluate-model';

export type Granularity = 'channel' | 'layer' | 'module';

export interface PruneSettings {
  criterion: string;
  roundTo: number;
  granularity: Granularity;
}

/** A plan that prunes the given units at the given ratios: modules, or dependency groups for `layer`. */
export function unitPlan(
  units: Record<string, number>,
  s: { criterion: string; roundTo: number; granularity?: Granularity },
): PlanInput {
  const base = { criterion: s.criterion as PlanInput['criterion'], round_to: s.roundTo };
  return s.granularity === 'layer' ? { ...base, layers: units } : { ...base, modules: units };
}

/**
 * A plan from a fixed-ratio planner (staged, uniform). Stage and global ratios apply to every group, so the
 * granularity changes nothing here; it names the sensitivity scan's units (see `listPrunableUnits`).
 */
export function planFromRatios(
  planner: Exclude<Planner, { kind: 'sensitivity' }>,
  s: PruneSettings,
): PlanInput {
  const base = { criterion: s.criterion as PlanInput['criterion'], round_to: s.roundTo };
  return planner.kind === 'staged'
    ? { ...base, stages: planner.stages }
    : { ...base, global_ratio: planner.ratio };
}

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
        stats: computeStats(result.model, { imgsz: input.imgsz }),
        groups: result.groups,
        frozen: result.frozen.length,
        removedChannels: result.removedChannels,
      };
    });
}

/**
 * The units a sensitivity scan prunes one at a time: ultralytics modules with at least one prunable group
 * (granularity `channel`/`module`), or the prunable dependency groups themselves, named by their root conv
 * (granularity `layer`).
 */
export function listPrunableUnits(deps: PipelineDeps) {
  return async (input: {
    model: ArtifactRef;
    granularity?: Granularity;
  }): Promise<{ unit: string; stage: string }[]> => {
    const model = decodeModel(await deps.store.get(input.model));
    const gs = buildGroups(buildChannelGraph(model));
    const stages = stageMapOf(model);
    if (input.granularity === 'layer') {
      return gs.groups
        .filter((g) => prunableChannels(g).length > 0)
        .map((g) => ({ unit: g.id, stage: stageOfModule(g.module ?? -1, stages) ?? 'head' }));
    }
    const modules = new Set<number>();
    for (const g of gs.groups)
      if (g.module !== undefined && prunableChannels(g).length > 0) modules.add(g.module);
    return [...modules]
      .sort((a, b) => a - b)
      .map((m) => ({ unit: `model.${m}`, stage: stageOfModule(m, stages) ?? 'head' }));
  };
}

export interface ScanUnitInput {
  model: ArtifactRef;
  dataset: ArtifactRef;
  unit: string;
  stage: string;
  ratio: number;
  criterion: string;
  roundTo: number;
  split: string;
  imgsz?: number;
  maxImages: number;
  granularity?: Granularity;
  criterionInputs?: CriterionInputs;
}

/** One point of a sensitivity curve: `unit` alone pruned at `ratio`, evaluated on the calibration subset. */
export function scanUnit(deps: PipelineDeps) {
  const evaluate = evaluateModel(deps);
  return (input: ScanUnitInput) =>
    memoized(deps, 'scanUnit', input, async () => {
      const model = decodeModel(await deps.store.get(input.model));
      const plan = unitPlan({ [input.unit]: input.ratio }, input);
      const pruneDeps = await pruneDepsFor(deps, input.criterion, model, input.criterionInputs ?? {});
      const pruned = await pruneModel(model, plan, pruneDeps);
      const ref = await deps.store.put(encodeModel(pruned.model));
      const m = await evaluate({
        model: ref,
        dataset: input.dataset,
        split: input.split,
        imgsz: input.imgsz,
        provider: 'cpu',
        maxImages: input.maxImages,
        latencyRuns: 0,
        threads: 1,
      });
      return {
        unit: input.unit,
        stage: input.stage as 'backbone' | 'neck' | 'head',
        ratio: input.ratio,
        map50_95: m.map50_95,
        map50: m.map50,
        flops: m.flops,
        params: m.params,
      };
    });
}

/** Deploy-form export (BN folded, optional fp16, ultralytics metadata). */
export function exportModel(deps: PipelineDeps) {
  return (input: {
    model: ArtifactRef;
    fp16: boolean;
  }): Promise<{ model: ArtifactRef; foldedBatchNorms: number }> =>
    memoized(deps, 'exportModel', input, async () => {
      const { model, report } = exportDeployForm(decodeModel(await deps.store.get(input.model)), {
        fp16: input.fp16,
      });
      return { model: await deps.store.put(encodeModel(model)), foldedBatchNorms: report.folded.length };
    });
}
