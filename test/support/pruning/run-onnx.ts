// Runs an in-memory Model with onnxruntime-node on CPU and returns every graph output as Float32Array.
// Test support only: the product's inference path is runtime/.

import { ort } from '../../../runtime/ort';
import { encodeModel } from '../../../core/onnx/encode';
import type { Model } from '../../../core/onnx/model';

export async function runModel(
  model: Model,
  feeds: Record<string, { dims: readonly number[]; data: Float32Array }>,
): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(encodeModel(model), {
    graphOptimizationLevel: 'disabled',
    intraOpNumThreads: 2,
    logSeverityLevel: 3,
  });
  try {
    const input: Record<string, ort.Tensor> = {};
    for (const [name, { dims, data }] of Object.entries(feeds))
      input[name] = new ort.Tensor('float32', data, dims as number[]);
    const out = await session.run(input);
    const result: Record<string, Float32Array> = {};
    for (const [name, t] of Object.entries(out)) result[name] = t.data as Float32Array;
    return result;
  } finally {
    await session.release();
  }
}

/** max |a - b| / max(max |b|, eps): relative to the output's scale, so near-zero elements do not dominate. */
export function maxRelativeDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / Math.max(scale, 1e-12);
}
