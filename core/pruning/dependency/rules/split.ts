// Split on the channel axis: output j is the input's channels [offset_j, offset_j + size_j). Sizes may be
// unequal (C2f's chunk after a pruned cv1), so surgery always writes explicit sizes.

import { intAttr, intsAttr } from '../../../onnx/attributes';
import { DataType } from '../../../onnx/data-type';
import type { Node } from '../../../onnx/model';
import type { CouplingContext, OpRule, SurgeryContext } from '../op-rule';

function splitSizes(
  ctx: { node: Node; constant(name: string): { data: unknown } | undefined },
  total: number,
  outputs: number,
): number[] | undefined {
  const input = ctx.node.inputs[1];
  if (input) {
    const value = ctx.constant(input);
    if (!value || !(value.data instanceof BigInt64Array)) return undefined;
    return Array.from(value.data, Number);
  }
  const attr = intsAttr(ctx.node, 'split');
  if (attr) return [...attr];
  const n = intAttr(ctx.node, 'num_outputs', outputs);
  const size = Math.ceil(total / n);
  return Array.from({ length: outputs }, (_, j) => Math.max(0, Math.min(size, total - j * size)));
}

function axisOf(node: Node, rank: number): number {
  const raw = intAttr(node, 'axis', 0);
  return raw < 0 ? raw + rank : raw;
}

export const splitRule: OpRule = {
  opType: 'Split',
  couple(ctx: CouplingContext) {
    const x = ctx.node.inputs[0]!;
    const outs = ctx.node.outputs.filter(Boolean);
    const rank = ctx.dims(x)?.length;
    const cin = ctx.channels(x);
    const blockAll = (detail: string) =>
      [x, ...outs].forEach((t) => ctx.block(t, 'unsupported-op-form', detail));
    if (rank === undefined || cin === undefined) return blockAll('Split with unknown input shape');
    if (axisOf(ctx.node, rank) !== 1) {
      for (const t of outs) ctx.coupleRange(x, 0, t, 0, cin);
      return;
    }
    const sizes = splitSizes(ctx, cin, ctx.node.outputs.length);
    if (!sizes || sizes.reduce((a, b) => a + b, 0) !== cin) return blockAll('Split sizes are not constant');
    let offset = 0;
    ctx.node.outputs.forEach((t, j) => {
      if (t) ctx.coupleRange(x, offset, t, 0, sizes[j]!);
      offset += sizes[j]!;
    });
  },
  prune(ctx: SurgeryContext) {
    const x = ctx.node.inputs[0]!;
    const dims = ctx.dims(x);
    if (!dims || axisOf(ctx.node, dims.length) !== 1) return {};
    const old = splitSizes(ctx, dims[1]!, ctx.node.outputs.length)!;
    const sizes = ctx.node.outputs.map((_, j) => ctx.keptOut(j)?.length ?? old[j]!);
    const attributes = { ...ctx.node.attributes };
    delete attributes['num_outputs'];
    // Opset < 13 takes sizes as an attribute, later opsets as input 1.
    if (ctx.opset < 13) {
      return { attributes: { ...attributes, split: { type: 'ints', value: sizes } } };
    }
    const value = {
      name: 'split',
      dataType: DataType.INT64,
      dims: [sizes.length],
      data: BigInt64Array.from(sizes.map(BigInt)),
    };
    return { attributes, inputs: [{ slot: 1, value }] };
  },
};
