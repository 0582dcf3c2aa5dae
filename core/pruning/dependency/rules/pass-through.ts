// Ops that compute each output channel from the same input channel only (activations, pooling, nearest
// resize): input channel c is output channel c, nothing to cut but the tensors themselves.

import { intAttr } from '../../../onnx/attributes';
import type { CouplingContext, OpRule } from '../op-rule';

function coupleFirst(ctx: CouplingContext): void {
  const x = ctx.node.inputs[0]!;
  const y = ctx.node.outputs[0]!;
  const cin = ctx.channels(x);
  const cout = ctx.channels(y);
  if (cin !== undefined && cin === cout) {
    ctx.coupleRange(x, 0, y, 0, cin);
    return;
  }
  const detail = `${ctx.node.opType} with unknown or changing channel count`;
  ctx.block(x, 'unsupported-op-form', detail);
  ctx.block(y, 'unsupported-op-form', detail);
}

export function passThroughRule(opType: string): OpRule {
  const global = opType.startsWith('Global');
  return {
    opType,
    couple: coupleFirst,
    prune: () => ({}),
    outputDims: (_node, [x]) => [x && global ? x.map((d, i) => (i < 2 ? d : 1)) : x],
  };
}

/** Activations and per-channel pooling; the list is the YOLO family's plus common CNN ops. */
export const PASS_THROUGH_OPS: readonly string[] = [
  'Identity',
  'Relu',
  'LeakyRelu',
  'Sigmoid',
  'HardSigmoid',
  'HardSwish',
  'Tanh',
  'Elu',
  'Selu',
  'Softplus',
  'Erf',
  'Neg',
  'Abs',
  'Exp',
  'Log',
  'Sqrt',
  'Reciprocal',
  'Clip',
  'Dropout',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'GlobalMaxPool',
];

/** Softmax over a non-channel axis keeps channels apart; over the channel axis it mixes them all. */
export const softmaxRule: OpRule = {
  opType: 'Softmax',
  couple(ctx) {
    const x = ctx.node.inputs[0]!;
    const dims = ctx.dims(x);
    const rank = dims?.length;
    const axis = intAttr(ctx.node, 'axis', -1);
    const normalised = rank === undefined ? undefined : axis < 0 ? axis + rank : axis;
    if (normalised !== undefined && normalised !== 1) coupleFirst(ctx);
    else {
      ctx.block(x, 'unsupported-op-form', 'Softmax over the channel axis');
      ctx.block(ctx.node.outputs[0]!, 'unsupported-op-form', 'Softmax over the channel axis');
    }
  },
  prune: () => ({}),
  outputDims: (_node, [x]) => [x],
};
