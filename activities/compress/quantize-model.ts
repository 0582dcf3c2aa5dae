import type { ArtifactRef } from '../../common/artifact-ref';
import type { DataSplit } from '../../common/data-split';
import { decodeModel, encodeModel } from '../../core/onnx';
import type { ObserverKind, QuantType } from '../../core/quantize';
import { imageInputSize } from '../../core/onnx/model';
import { loadDataset } from '../../runtime/datasets';
import { letterboxAll } from '../../runtime/quantize/calibration-set';
import { quantizeDetector } from '../../runtime/quantize/quantize-detector';
import { memoized, type PipelineDeps } from './context';
import { loadManifest } from './import-inputs';

export interface QuantizeModelInput {
  /** The float model to quantize (any form; it is quantized in the deploy form). */
  model: ArtifactRef;
  dataset: ArtifactRef;
  /** Where calibration and the accuracy control look: the run's selection split, never its evaluation split. */
  split: DataSplit;
  images: number;
  imgsz?: number;
  observer: ObserverKind;
  activationType: QuantType;
  /** Accuracy control's budget in mAP50-95 points against the float model; absent: no control. */
  maxDropPoints?: number;
}

export interface QuantizeModelResult {
  model: ArtifactRef;
  quantizedNodes: number;
  floatNodes: number;
  /** Layers the accuracy control kept in float, most recovering first. */
  keptLayers: string[];
  /** mAP50-95 on the selection split: float, every layer int8, delivered (with accuracy control only). */
  selectionMap?: { float: number; allInt8: number; delivered: number; withinBudget: boolean };
}

/** Post-training INT8 of the fine-tuned model, calibrated (and, with a budget, checked) on the selection split. */
export function quantizeModel(deps: PipelineDeps) {
  return (input: QuantizeModelInput): Promise<QuantizeModelResult> =>
    memoized(deps, 'quantizeModel', input, async () => {
      const model = decodeModel(await deps.store.get(input.model));
      const imgsz = input.imgsz ?? imageInputSize(model) ?? 640;
      const root = await deps.cache.dataset(await loadManifest(deps, input.dataset));
      const loaded = await loadDataset(root, { split: input.split, policy: 'skip', limit: input.images });
      const images = await letterboxAll(
        loaded.dataset.images.map((im) => loaded.resolveImage(im.file)),
        imgsz,
      );
      const result = await quantizeDetector(model, images, {
        observer: input.observer,
        activationType: input.activationType,
        ...(input.maxDropPoints === undefined
          ? {}
          : {
              accuracy: {
                maxDropPoints: input.maxDropPoints,
                data: root,
                split: input.split,
                images: input.images,
                imgsz,
              },
            }),
      });
      const acc = result.accuracy;
      return {
        model: await deps.store.put(encodeModel(result.model)),
        quantizedNodes: result.quantizedNodes,
        floatNodes: result.floatNodes.length,
        keptLayers: acc ? [...acc.keptLayers] : [],
        ...(acc
          ? {
              selectionMap: {
                float: acc.floatMap,
                allInt8: acc.allInt8Map,
                delivered: acc.finalMap,
                withinBudget: acc.withinBudget,
              },
            }
          : {}),
      };
    });
}
