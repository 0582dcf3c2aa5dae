// Shape reads a tensor's dims, not its values. Pruning changes only the channel dim, so a Shape whose channel
// entry nobody reads (ultralytics' dynamic Detect and attention read batch, height and width: Gather 0, 2, 3)
// couples nothing and blocks nothing. When the channel count may be read, the count would change under the
// graph's feet: the input's channels are frozen.

import { intAttr } from '../../../onnx/attributes';
import type { Node } from '../../../onnx/model';
import type { CouplingContext, OpRule } from '../op-rule';

/** Positions of the shape vector a consumer reads, when they are constants; undefined = maybe all. */
function positionsRead(ctx: CouplingContext, consumer: Node, length: number): number[] | undefined {
  const norm = (i: number) => (i < 0 ? i + length : i);
  const ints = (name: string | undefined) => {
    const t = name ? ctx.constant(name) : undefined;
    return t && t.data instanceof BigInt64Array ? Array.from(t.data, Number) : undefined;
  };
  if (consumer.opType === 'Gather' && intAttr(consumer, 'axis', 0) === 0) {
    return ints(consumer.inputs[1])?.map(norm);
  }
  if (consumer.opType === 'Slice') {
    const [starts, ends, axes, steps] = [1, 2, 3, 4].map((i) => ints(consumer.inputs[i]));
    if (!starts || !ends || starts.length !== 1 || (axes && axes[0] !== 0) || (steps && steps[0] !== 1))
      return undefined;
    const clamp = (i: number) => Math.max(0, Math.min(length, norm(i)));
    const out: number[] = [];
    for (let i = clamp(starts[0]!); i < clamp(ends[0]!); i++) out.push(i);
    return out;
  }
  return undefined;
}

export const shapeRule: OpRule = {
  opType: 'Shape',
  couple(ctx) {
    const x = ctx.node.inputs[0]!;
    const y = ctx.node.outputs[0]!;
    const rank = ctx.dims(x)?.length;
    if (rank === undefined) return ctx.block(x, 'unsupported-op-form', 'Shape of a tensor of unknown rank');
    // opset 15+: Shape(start, end) returns dims[start:end].
    const clamp = (i: number) => Math.max(0, Math.min(rank, i < 0 ? i + rank : i));
    const start = clamp(intAttr(ctx.node, 'start', 0));
    const end = clamp(intAttr(ctx.node, 'end', rank));
    if (1 < start || 1 >= end) return;
    const channelAt = 1 - start;
    const readers = ctx.consumers(y);
    const culprit = ctx.isGraphOutput(y)
      ? 'a graph output'
      : readers.find((r) => positionsRead(ctx, r, end - start)?.includes(channelAt) ?? true);
    if (culprit === undefined) return;
    const who = typeof culprit === 'string' ? culprit : `${culprit.opType} ${culprit.name}`;
    ctx.block(x, 'unsupported-op-form', `its channel count is read through Shape by ${who}`);
  },
  prune: () => ({}),
};
