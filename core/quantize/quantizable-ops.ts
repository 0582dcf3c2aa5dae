// Which ops the QDQ pass quantizes, which of their inputs carry activations, and which share one scale
// between input and output. One table, read by calibration (which tensors to observe) and by the QDQ pass.
//
// Compute ops run as onnxruntime's fused int8 kernels when every float input and the output sit between
// DequantizeLinear and QuantizeLinear (QLinearConv, QLinearAdd/Mul, QLinearSigmoid). Data-movement ops
// (pooling, resize, reshapes, splits, concat) move 8-bit values as they are, which onnxruntime does only
// when the input and output scales are equal — so those share one range.

import type { Node } from '../onnx/model';

export interface QuantizableOp {
  /** Inputs that carry activations (quantized per tensor); other inputs are weights, shapes or constants. */
  readonly activationInputs: 'all' | readonly number[];
  /** Outputs quantized per tensor. */
  readonly outputs: readonly number[];
  /** Conv-style weight input quantized per output channel (int8, symmetric), with its int32 bias. */
  readonly weight?: { readonly input: number; readonly bias?: number; readonly axis: number };
  /** Input and output share one scale (the op moves values without arithmetic). */
  readonly sharesScale?: boolean;
}

export const QUANTIZABLE_OPS: Readonly<Record<string, QuantizableOp>> = {
  Conv: { activationInputs: [0], outputs: [0], weight: { input: 1, bias: 2, axis: 0 } },
  Add: { activationInputs: [0, 1], outputs: [0] },
  Mul: { activationInputs: [0, 1], outputs: [0] },
  Sigmoid: { activationInputs: [0], outputs: [0] },
  MaxPool: { activationInputs: [0], outputs: [0], sharesScale: true },
  Resize: { activationInputs: [0], outputs: [0], sharesScale: true },
  Concat: { activationInputs: 'all', outputs: [0], sharesScale: true },
  Split: { activationInputs: [0], outputs: [0, 1, 2, 3, 4, 5, 6, 7], sharesScale: true },
  Reshape: { activationInputs: [0], outputs: [0], sharesScale: true },
  Transpose: { activationInputs: [0], outputs: [0], sharesScale: true },
  Slice: { activationInputs: [0], outputs: [0], sharesScale: true },
};

export function activationInputsOf(node: Node, op: QuantizableOp): string[] {
  const indices = op.activationInputs === 'all' ? node.inputs.map((_, i) => i) : op.activationInputs;
  return indices.map((i) => node.inputs[i]).filter((t): t is string => !!t);
}

export function quantizedOutputsOf(node: Node, op: QuantizableOp): string[] {
  return op.outputs.map((i) => node.outputs[i]).filter((t): t is string => !!t);
}
