// Network Slimming's diagnostic: the distribution of |γ| over every BatchNormalization of a model. After an
// L1 penalty on γ most channels should sit near zero; the report plots both histograms.

import type { Model } from '../onnx/model';

export interface GammaHistogram {
  /** Bin edges, bins + 1 values from 0 to the largest |γ|. */
  edges: number[];
  counts: number[];
  channels: number;
  /** Mean |γ|: the L1 penalty pulls it down. */
  mean: number;
  /** Share of channels with |γ| below 1e-2 (those bn-gamma removes first). */
  nearZero: number;
}

export function gammaHistogram(model: Model, bins = 40): GammaHistogram {
  const values: number[] = [];
  for (const node of model.graph.nodes) {
    if (node.opType !== 'BatchNormalization') continue;
    const gamma = model.graph.initializers.get(node.inputs[1] ?? '');
    if (gamma?.data instanceof Float32Array) for (const v of gamma.data) values.push(Math.abs(v));
  }
  const max = values.reduce((a, b) => Math.max(a, b), 0) || 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v / max) * bins))]!++;
  return {
    edges: Array.from({ length: bins + 1 }, (_, i) => (max * i) / bins),
    counts,
    channels: values.length,
    mean: values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0,
    nearZero: values.length ? values.filter((v) => v < 1e-2).length / values.length : 0,
  };
}
