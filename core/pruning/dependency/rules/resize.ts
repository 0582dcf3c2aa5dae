// Resize scales spatial axes only (the channel scale must be 1); a `sizes` operand names the
// channel count, so surgery rewrites it.

import type { Tensor } from '../../../onnx/model';
import type { CouplingContext, OpRule } from '../op-rule';

function numbers(t: Tensor | undefined): number[] | undefined {
  if (!t || typeof t.data[0] === 'string') return undefined;
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

function couple(ctx: CouplingContext): void {
  const x = ctx.node.inputs[0]!;
  const y = ctx.node.outputs[0]!;
  const cin = ctx.channels(x);
  const cout = ctx.channels(y);
  const block = (detail: string) => [x, y].forEach((t) => ctx.block(t, 'unsupported-op-form', detail));
  if (cin === undefined || cin !== cout)
    return block(`${ctx.node.opType} changes or hides the channel count`);
  const sizes =
    ctx.node.opType === 'Resize' && ctx.node.inputs[3]
      ? numbers(ctx.constant(ctx.node.inputs[3]))
      : undefined;
  if (ctx.node.opType === 'Resize' && ctx.node.inputs[3] && sizes?.[1] !== cin)
    return block('Resize sizes are not constant');
  ctx.coupleRange(x, 0, y, 0, cin);
}

function rule(opType: string): OpRule {
  return {
    opType,
    couple,
    prune(ctx) {
      const kept = ctx.keptOut(0);
      const sizesName = opType === 'Resize' ? ctx.node.inputs[3] : undefined;
      if (!kept || !sizesName) return {};
      const sizes = ctx.constant(sizesName)!;
      const data = BigInt64Array.from(sizes.data as BigInt64Array);
      data[1] = BigInt(kept.length);
      return { inputs: [{ slot: 3, value: { ...sizes, data } }] };
    },
  };
}

export const resizeRule = rule('Resize');
