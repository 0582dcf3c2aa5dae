import type { DataType } from '../onnx/data-type';
import type { Dim } from '../onnx/model';

/** What shape inference knows about one tensor. */
export interface ValueShape {
  readonly elemType: DataType;
  /** undefined when even the rank is unknown. */
  readonly dims: readonly Dim[] | undefined;
}

/**
 * A small tensor whose values are known before running the model (Constant outputs, shape arithmetic such
 * as Shape → Gather → Add). Used to resolve Reshape/Slice/Split/Resize/Unsqueeze operands.
 */
export interface ConstValue {
  readonly dims: readonly number[];
  readonly values: readonly number[];
}

/** Tensors with more elements than this are not tracked as constants (weights, anchor grids). */
export const MAX_CONST_ELEMENTS = 64;

export function staticDims(shape: ValueShape | undefined): number[] | undefined {
  if (!shape?.dims || shape.dims.some((d) => typeof d !== 'number')) return undefined;
  return shape.dims as number[];
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
