// Element-wise binary (and variadic) ops with numpy broadcasting: a full-rank operand with the output's
// channel count is coupled channel by channel; a constant operand with a per-channel axis is cut with the
// channels; an operand broadcast along the channel axis (size 1) is left alone.

import type { Tensor } from '../../../onnx/model';
import { selectAlongAxis } from '../../surgery/tensor-slice';
import type { CouplingContext, OpRule } from '../op-rule';

/** The axis of a rank-`rank` operand that lines up with channel axis 1 of a rank-`outRank` output. */
function channelAxisOf(rank: number, outRank: number): number {
  return 1 - (outRank - rank);
}

function perChannelConstantAxis(value: Tensor, outRank: number, channels: number): number | undefined {
  const axis = channelAxisOf(value.dims.length, outRank);
  if (axis < 0 || value.dims[axis] === 1) return undefined;
  return value.dims[axis] === channels ? axis : NaN;
}

function couple(ctx: CouplingContext): void {
  const y = ctx.node.outputs[0]!;
  const cout = ctx.channels(y);
  const outRank = ctx.dims(y)?.length;
  const tracked = ctx.node.inputs.filter((t) => t && ctx.channels(t) !== undefined);
  const blockAll = (detail: string) => {
    for (const t of tracked) ctx.block(t, 'unsupported-op-form', detail);
    ctx.block(y, 'unsupported-op-form', detail);
  };
  if (cout === undefined || outRank === undefined) return blockAll(`${ctx.node.opType} output shape unknown`);
  for (const t of ctx.node.inputs) {
    if (!t) continue;
    const c = ctx.channels(t);
    const value = ctx.constant(t);
    if (value) {
      const axis = perChannelConstantAxis(value, outRank, cout);
      if (axis !== undefined && Number.isNaN(axis))
        return blockAll(`${ctx.node.opType} constant ${t} broadcasts against channels`);
      continue;
    }
    const dims = ctx.dims(t);
    if (c !== undefined && dims?.length === outRank) {
      if (c === cout) ctx.coupleRange(t, 0, y, 0, cout);
      else if (c === 1) ctx.block(t, 'unsupported-op-form', `${ctx.node.opType} broadcasts a single channel`);
      else return blockAll(`${ctx.node.opType} operand ${t} has ${c} channels, output ${cout}`);
      continue;
    }
    // A lower-rank or unknown operand: safe only when it cannot line up with the channel axis.
    const axis = dims ? channelAxisOf(dims.length, outRank) : 0;
    if (!dims || (axis >= 0 && dims[axis] !== 1))
      return blockAll(`${ctx.node.opType} operand ${t} may vary along channels`);
  }
}

function broadcastDims(all: readonly (readonly number[] | undefined)[]): (readonly number[] | undefined)[] {
  if (all.some((d) => d === undefined)) return [undefined];
  const rank = Math.max(...all.map((d) => d!.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) out.push(Math.max(...all.map((d) => d![d!.length - rank + i] ?? 1)));
  return [out];
}

export function elementwiseRule(opType: string): OpRule {
  return {
    opType,
    couple,
    outputDims: (_node, inputs) => broadcastDims(inputs),
    prune(ctx) {
      const kept = ctx.keptOut(0);
      const outDims = ctx.dims(ctx.node.outputs[0]!);
      if (!kept || !outDims) return {};
      const inputs: { slot: number; value: Tensor }[] = [];
      ctx.node.inputs.forEach((t, slot) => {
        const value = t ? ctx.constant(t) : undefined;
        const axis = value ? perChannelConstantAxis(value, outDims.length, outDims[1]!) : undefined;
        if (value && axis !== undefined && !Number.isNaN(axis))
          inputs.push({ slot, value: selectAlongAxis(value, axis, kept) });
      });
      return { inputs };
    },
  };
}

export const ELEMENTWISE_OPS: readonly string[] = [
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Max',
  'Min',
  'Sum',
  'Mean',
];
