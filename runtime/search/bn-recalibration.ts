// Re-estimates a (pruned) train-form model's BatchNormalization statistics on a few calibration images: runs
// the training-mode probe (core/search/batch-norm-statistics.ts) in onnxruntime on batches of `batch` images
// (PyTorch's train mode normalises by the batch too) and pools the batches' moments exactly (mean of means;
// E[x²] − mean² for the variance). Models without BN initializers
// (deploy-form, BN folded into the convs) come back unchanged.

import { ort } from '../ort';
import { encodeModel } from '../../core/onnx/encode';
import type { Model } from '../../core/onnx/model';
import {
  batchNormProbe,
  withBatchNormStatistics,
  type ChannelStatistics,
} from '../../core/search/batch-norm-statistics';
import type { CalibrationImage } from '../pruning/activations';

export interface RecalibrationResult {
  model: Model;
  /** BN layers whose statistics were replaced (0 for a model without BN initializers). */
  layers: number;
}

export async function recalibrateBatchNorm(
  model: Model,
  images: readonly CalibrationImage[],
  options: { threads?: number; batch?: number } = {},
): Promise<RecalibrationResult> {
  const probe = batchNormProbe(model);
  if (!probe || images.length === 0) return { model, layers: 0 };
  const session = await ort.InferenceSession.create(encodeModel(probe.model), {
    logSeverityLevel: 3,
    graphOptimizationLevel: 'basic',
    executionMode: 'sequential',
    ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
  });
  const sums = new Map<string, { mean: Float64Array; square: Float64Array }>();
  try {
    const inputName = model.graph.inputs.find((v) => !model.graph.initializers.has(v.name))!.name;
    const fetches = probe.outputs.flatMap((o) => [o.mean, o.variance]);
    const size = images[0]!.data.length;
    const per = Math.max(1, options.batch ?? 8);
    const batches: (readonly CalibrationImage[])[] = [];
    for (let i = 0; i < images.length; i += per) batches.push(images.slice(i, i + per));
    for (const chunk of batches) {
      const data = new Float32Array(chunk.length * size);
      chunk.forEach((im, i) => data.set(im.data, i * size));
      const dims = [chunk.length, ...images[0]!.dims.slice(1)];
      const out = await session.run({ [inputName]: new ort.Tensor('float32', data, dims) }, fetches);
      const weight = chunk.length / images.length;
      for (const o of probe.outputs) {
        const m = out[o.mean]!.data as Float32Array;
        const v = out[o.variance]!.data as Float32Array;
        const acc = sums.get(o.node) ?? {
          mean: new Float64Array(m.length),
          square: new Float64Array(m.length),
        };
        for (let c = 0; c < m.length; c++) {
          acc.mean[c]! += weight * m[c]!;
          acc.square[c]! += weight * (v[c]! + m[c]! * m[c]!);
        }
        sums.set(o.node, acc);
      }
    }
  } finally {
    await session.release();
  }
  const stats = new Map<string, ChannelStatistics>();
  for (const [node, acc] of sums) {
    const mean = new Float32Array(acc.mean.length);
    const variance = new Float32Array(acc.mean.length);
    for (let c = 0; c < mean.length; c++) {
      const mu = acc.mean[c]!;
      mean[c] = mu;
      variance[c] = Math.max(0, acc.square[c]! - mu * mu);
    }
    stats.set(node, { mean, variance });
  }
  return { model: withBatchNormStatistics(model, stats), layers: stats.size };
}
