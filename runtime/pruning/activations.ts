// HRank's feature-map ranks, computed with onnxruntime: the requested conv outputs are added as extra graph
// outputs, every calibration image is run once, and each channel's H×W map gets its matrix rank (Gaussian
// elimination with a relative tolerance, as numpy's matrix_rank does with SVD). Ranks are averaged over images.

import { ort } from '../ort';
import { DataType } from '../../core/onnx/data-type';
import { encodeModel } from '../../core/onnx/encode';
import type { Model } from '../../core/onnx/model';
import type { ActivationRanks } from '../../core/pruning/importance/criterion';

export interface CalibrationImage {
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/** Rank of a rows×cols matrix (copied), with tolerance max(rows, cols) · eps · max|a|. */
export function matrixRank(values: Float32Array, rows: number, cols: number): number {
  const a = Float64Array.from(values);
  let max = 0;
  for (const v of a) max = Math.max(max, Math.abs(v));
  if (max === 0) return 0;
  const tol = Math.max(rows, cols) * 1.2e-7 * max;
  let rank = 0;
  for (let c = 0; c < cols && rank < rows; c++) {
    let pivot = rank;
    for (let r = rank + 1; r < rows; r++)
      if (Math.abs(a[r * cols + c]!) > Math.abs(a[pivot * cols + c]!)) pivot = r;
    if (Math.abs(a[pivot * cols + c]!) <= tol) continue;
    if (pivot !== rank) {
      for (let k = c; k < cols; k++)
        [a[rank * cols + k], a[pivot * cols + k]] = [a[pivot * cols + k]!, a[rank * cols + k]!];
    }
    const p = a[rank * cols + c]!;
    for (let r = rank + 1; r < rows; r++) {
      const f = a[r * cols + c]! / p;
      if (f === 0) continue;
      for (let k = c; k < cols; k++) a[r * cols + k]! -= f * a[rank * cols + k]!;
    }
    rank++;
  }
  return rank;
}

export function onnxActivationRanks(model: Model, images: readonly CalibrationImage[]): ActivationRanks {
  return {
    async ranks(tensors) {
      const existing = new Set(model.graph.outputs.map((o) => o.name));
      const extra = tensors
        .filter((t) => !existing.has(t))
        .map((name) => ({ name, type: { kind: 'tensor' as const, elemType: DataType.FLOAT } }));
      const probe: Model = {
        ...model,
        graph: { ...model.graph, outputs: [...model.graph.outputs, ...extra] },
      };
      const session = await ort.InferenceSession.create(encodeModel(probe), { logSeverityLevel: 3 });
      const sums = new Map<string, Float64Array>();
      try {
        for (const image of images) {
          const feeds = {
            [model.graph.inputs[0]!.name]: new ort.Tensor('float32', image.data, image.dims as number[]),
          };
          const out = await session.run(feeds, [...tensors]);
          for (const t of tensors) {
            const value = out[t]!;
            const [, c, h, w] = value.dims as number[];
            const data = value.data as Float32Array;
            const sum = sums.get(t) ?? new Float64Array(c!);
            for (let k = 0; k < c!; k++)
              sum[k]! += matrixRank(data.subarray(k * h! * w!, (k + 1) * h! * w!), h!, w!);
            sums.set(t, sum);
          }
        }
      } finally {
        await session.release();
      }
      for (const v of sums.values()) for (let i = 0; i < v.length; i++) v[i]! /= images.length;
      return sums;
    },
  };
}
