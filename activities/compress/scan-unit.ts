import type { ArtifactRef } from '../../common/artifact-ref';
import { decodeModel, encodeModel } from '../../core/onnx';
import { unitPlan, type Granularity } from '../../core/planning/unit-plans';
import { buildChannelGraph } from '../../core/pruning/dependency/channel-graph';
import { buildGroups, prunableChannels } from '../../core/pruning/groups';
import { droppableBlocks } from '../../core/pruning/layers/drop-bottlenecks';
import { pruneModel } from '../../core/pruning/prune-model';
import { partMapOf, partOfModule } from '../../core/yolo/part-map';
import { memoized, type PipelineDeps } from './context';
import { evaluateModel } from './evaluate-model';
import { pruneDepsFor, type CriterionInputs } from './prune-deps';
import type { DataSplit } from '../../common/data-split';

/**
 * The units a sensitivity scan prunes one at a time: ultralytics modules with at least one prunable group
 * (granularity `module`), the prunable dependency groups, named by their root conv (`channel`), or the blocks
 * that can be dropped whole (`layer`).
 */
export function listPrunableUnits(deps: PipelineDeps) {
  return async (input: {
    model: ArtifactRef;
    granularity?: Granularity;
  }): Promise<{ unit: string; stage: string }[]> => {
    const model = decodeModel(await deps.store.get(input.model));
    const stages = partMapOf(model);
    if (input.granularity === 'block') {
      return droppableBlocks(model).map((b) => ({
        unit: b.name,
        stage: partOfModule(b.module, stages) ?? 'head',
      }));
    }
    const gs = buildGroups(buildChannelGraph(model));
    if (input.granularity === 'group') {
      return gs.groups
        .filter((g) => prunableChannels(g).length > 0)
        .map((g) => ({ unit: g.id, stage: partOfModule(g.module ?? -1, stages) ?? 'head' }));
    }
    const modules = new Set<number>();
    for (const g of gs.groups)
      if (g.module !== undefined && prunableChannels(g).length > 0) modules.add(g.module);
    return [...modules]
      .sort((a, b) => a - b)
      .map((m) => ({ unit: `model.${m}`, stage: partOfModule(m, stages) ?? 'head' }));
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
  split: DataSplit;
  imgsz?: number;
  calibrationImages: number;
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
        maxImages: input.calibrationImages,
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
