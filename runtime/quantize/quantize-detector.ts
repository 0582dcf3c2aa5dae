// Post-training INT8 of a detector file: deploy form (BN folded), decode path kept in float, calibrated
// ranges, QDQ pass, and, when a budget is given, the accuracy control scored on a dataset split.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSplit } from '../../common/data-split';
import { exportDeployForm } from '../../core/export';
import { encodeModel } from '../../core/onnx/encode';
import type { Model } from '../../core/onnx/model';
import {
  controlAccuracy,
  convLayers,
  decodePathNodes,
  quantizeModel,
  type AccuracyControlResult,
  type ObserverKind,
  type QuantLayer,
  type QuantType,
} from '../../core/quantize';
import { evaluateModel } from '../evaluate';
import { InputCache } from '../input-cache';
import type { CalibrationImage } from '../pruning/activations';
import { calibrateRanges, tensorsToCalibrate } from './calibrate';

export interface QuantizeDetectorOptions {
  readonly observer: ObserverKind;
  readonly activationType: QuantType;
  /** Node names the user keeps in float besides the decode path. */
  readonly keepFloat?: readonly string[];
  /** Accuracy control: the largest mAP50-95 drop (points) against the float model, scored on `data`/`split`. */
  readonly accuracy?: {
    readonly maxDropPoints: number;
    readonly data: string;
    readonly split: DataSplit;
    readonly images: number;
    readonly imgsz?: number;
    readonly onProgress?: (line: string) => void;
  };
}

export interface QuantizeDetectorResult {
  readonly model: Model;
  readonly quantizedNodes: number;
  readonly floatNodes: readonly string[];
  readonly accuracy?: AccuracyControlResult;
}

/** Marks the number format in the model's metadata, beside the deploy form's keys. */
function withInt8Metadata(model: Model, observer: ObserverKind, activationType: QuantType): Model {
  const props = model.metadataProps.filter(
    (p) => !p.key.startsWith('stageprune_precision') && p.key !== 'stageprune_int8',
  );
  props.push({ key: 'stageprune_precision', value: 'int8' });
  props.push({
    key: 'stageprune_int8',
    value: JSON.stringify({ observer, activations: activationType, weights: 'int8 per channel' }),
  });
  return { ...model, metadataProps: props };
}

export async function quantizeDetector(
  input: Model,
  images: readonly CalibrationImage[],
  options: QuantizeDetectorOptions,
): Promise<QuantizeDetectorResult> {
  const { model } = exportDeployForm(input);
  const keep = new Set([...decodePathNodes(model.graph), ...(options.keepFloat ?? [])]);
  const ranges = await calibrateRanges(
    model,
    images,
    tensorsToCalibrate(model.graph, keep),
    options.observer,
  );
  const build = (extra: readonly QuantLayer[]) => {
    const keepFloat = new Set([...keep, ...extra.flatMap((l) => l.nodes)]);
    const q = quantizeModel(model, ranges, { activationType: options.activationType, keepFloat });
    return { ...q, model: withInt8Metadata(q.model, options.observer, options.activationType) };
  };
  if (!options.accuracy) {
    const q = build([]);
    return { model: q.model, quantizedNodes: q.quantizedNodes.length, floatNodes: [...keep] };
  }
  const acc = options.accuracy;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stageprune-int8-'));
  const cache = new InputCache();
  let n = 0;
  const score = async (m: Model): Promise<number> => {
    const file = path.join(dir, `candidate-${n++}.onnx`);
    writeFileSync(file, encodeModel(m));
    try {
      const r = await evaluateModel({
        model: file,
        data: acc.data,
        split: acc.split,
        limit: acc.images,
        imgsz: acc.imgsz,
        cache,
      });
      return r.metrics.map50_95;
    } finally {
      rmSync(file, { force: true });
    }
  };
  try {
    const floatMap = await score(model);
    const all = build([]);
    const layers = convLayers(model.graph, new Set(all.quantizedNodes));
    const result = await controlAccuracy(layers, {
      maxDropPoints: acc.maxDropPoints,
      floatMap,
      evaluate: async (kept) => {
        const map = await score(build(kept).model);
        acc.onProgress?.(
          `${kept.length === 0 ? 'all layers int8' : `${kept.length} layer(s) float`}: mAP50-95 ${map.toFixed(4)} (float ${floatMap.toFixed(4)})`,
        );
        return map;
      },
    });
    const byName = new Map(layers.map((l) => [l.name, l]));
    const final = build(result.keptLayers.map((name) => byName.get(name)!));
    return {
      model: final.model,
      quantizedNodes: final.quantizedNodes.length,
      floatNodes: [...keep, ...result.keptLayers],
      accuracy: result,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
