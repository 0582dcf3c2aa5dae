// Accuracy control for post-training INT8: when quantizing every layer costs more mAP than the run allows,
// a sensitivity scan measures what keeping each layer in float recovers, and layers are kept in float,
// most recovering first, until the drop against the float model is within the budget. The evaluation is
// injected (the runtime scores on the selection split), so this stays a pure planner.

import { forEachConcurrent } from '../for-each-concurrent';
import type { QuantLayer } from './layers';

export interface LayerSensitivity {
  readonly layer: string;
  /** mAP50-95 of the model with only this layer kept in float. */
  readonly map: number;
}

export interface AccuracyControlResult {
  readonly floatMap: number;
  /** mAP50-95 with every layer quantized. */
  readonly allInt8Map: number;
  /** mAP50-95 of the delivered model. */
  readonly finalMap: number;
  /** Layers kept in float, in the order they were added. */
  readonly keptLayers: readonly string[];
  /** Empty when quantizing everything was already within budget. */
  readonly sensitivity: readonly LayerSensitivity[];
  readonly withinBudget: boolean;
}

export interface AccuracyControlOptions {
  /** Largest mAP50-95 drop allowed against the float model, in points (0.5 = half a point). */
  readonly maxDropPoints: number;
  /** mAP50-95 of the model quantized with these layers kept in float (none: every layer quantized). */
  readonly evaluate: (keptInFloat: readonly QuantLayer[]) => Promise<number>;
  readonly floatMap: number;
  /** Most layers the greedy step may keep in float before giving up (default: all). */
  readonly maxKept?: number;
  /** Evaluations run at once during the scan (each owns a session; default 1). */
  readonly concurrency?: number;
}

export async function controlAccuracy(
  layers: readonly QuantLayer[],
  options: AccuracyControlOptions,
): Promise<AccuracyControlResult> {
  const budget = options.maxDropPoints / 100;
  const allInt8Map = await options.evaluate([]);
  const within = (map: number) => options.floatMap - map <= budget + 1e-12;
  if (within(allInt8Map))
    return {
      floatMap: options.floatMap,
      allInt8Map,
      finalMap: allInt8Map,
      keptLayers: [],
      sensitivity: [],
      withinBudget: true,
    };
  const sensitivity = await scan(layers, options);
  const ranked = [...sensitivity].sort((a, b) => b.map - a.map || a.layer.localeCompare(b.layer));
  const byName = new Map(layers.map((l) => [l.name, l]));
  const kept: QuantLayer[] = [];
  let map = allInt8Map;
  const limit = Math.min(options.maxKept ?? layers.length, ranked.length);
  for (let i = 0; i < limit && !within(map); i++) {
    kept.push(byName.get(ranked[i]!.layer)!);
    map = await options.evaluate(kept);
  }
  return {
    floatMap: options.floatMap,
    allInt8Map,
    finalMap: map,
    keptLayers: kept.map((l) => l.name),
    sensitivity,
    withinBudget: within(map),
  };
}

async function scan(
  layers: readonly QuantLayer[],
  options: AccuracyControlOptions,
): Promise<LayerSensitivity[]> {
  const out: LayerSensitivity[] = new Array(layers.length);
  await forEachConcurrent([...layers.keys()], Math.max(1, options.concurrency ?? 1), async (i) => {
    out[i] = { layer: layers[i]!.name, map: await options.evaluate([layers[i]!]) };
  });
  return out;
}
