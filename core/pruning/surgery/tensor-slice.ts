// Index selection and zeroing along one axis of a float initializer. Tensors are immutable: these build
// new ones. Float16/bfloat16 initializers are decoded as Float32Array too, and keep their dataType.

import type { Tensor } from '../../onnx/model';
import { PruneError } from '../errors';

function floatData(t: Tensor): Float32Array {
  if (!(t.data instanceof Float32Array)) {
    throw new PruneError(
      'PRUNE_SURGERY_FAILED',
      `initializer ${t.name} is not floating point (data type ${t.dataType})`,
    );
  }
  return t.data;
}

function strides(dims: readonly number[], axis: number): { outer: number; size: number; inner: number } {
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  return { outer, size: dims[axis]!, inner };
}

/** Keeps only `kept` indices (ascending) along `axis`. */
export function selectAlongAxis(t: Tensor, axis: number, kept: readonly number[]): Tensor {
  const data = floatData(t);
  const { outer, size, inner } = strides(t.dims, axis);
  if (kept.some((k) => k < 0 || k >= size)) {
    throw new PruneError(
      'PRUNE_SURGERY_FAILED',
      `index out of range selecting axis ${axis} of ${t.name} [${t.dims}]`,
    );
  }
  const out = new Float32Array(outer * kept.length * inner);
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (const k of kept) {
      const start = (a * size + k) * inner;
      out.set(data.subarray(start, start + inner), o);
      o += inner;
    }
  }
  const dims = t.dims.slice();
  dims[axis] = kept.length;
  return { ...t, dims, data: out };
}

/** A copy with the given indices along `axis` set to zero. */
export function zeroAlongAxis(t: Tensor, axis: number, indices: readonly number[]): Tensor {
  const data = floatData(t);
  const { outer, size, inner } = strides(t.dims, axis);
  const out = new Float32Array(data);
  for (let a = 0; a < outer; a++) {
    for (const k of indices) out.fill(0, (a * size + k) * inner, (a * size + k + 1) * inner);
  }
  return { ...t, data: out };
}

/** The elements of index `k` along axis 0 (a conv filter, a BN entry). */
export function rowOf(t: Tensor, k: number): Float32Array {
  const data = floatData(t);
  const inner = t.dims.slice(1).reduce((a, b) => a * b, 1);
  return data.subarray(k * inner, (k + 1) * inner);
}

/** The elements of index `k` along axis 1 (a consumer conv's input column), copied. */
export function columnOf(t: Tensor, k: number): Float32Array {
  const data = floatData(t);
  const { outer, size, inner } = strides(t.dims, 1);
  const out = new Float32Array(outer * inner);
  for (let a = 0; a < outer; a++)
    out.set(data.subarray((a * size + k) * inner, (a * size + k + 1) * inner), a * inner);
  return out;
}

/** The kept indices of a length-`n` axis once `removed` are gone. */
export function keptIndices(n: number, removed: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (!removed.has(i)) out.push(i);
  return out;
}
