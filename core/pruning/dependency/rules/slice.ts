// Slice (opset >= 10, constant operands). On the channel axis with step 1, output channel k is input channel
// start + k; input channels outside [start, end) are simply not read. Other axes keep channels one to one.

import { DataType } from '../../../onnx/data-type';
import type { Tensor } from '../../../onnx/model';
import type { CouplingContext, OpRule, SurgeryContext } from '../op-rule';

interface ChannelSlice {
  /** Index into the starts/ends/axes arrays of the entry for axis 1, or -1 when axis 1 is not sliced. */
  readonly entry: number;
  readonly start: number;
  readonly end: number;
  readonly starts: readonly bigint[];
  readonly ends: readonly bigint[];
}

function ints(t: Tensor | undefined): bigint[] | undefined {
  if (!t) return undefined;
  if (t.data instanceof BigInt64Array) return Array.from(t.data);
  if (t.data instanceof Int32Array) return Array.from(t.data, BigInt);
  return undefined;
}

function clamp(v: bigint, size: number): number {
  const n = v < 0n ? BigInt(size) + v : v;
  return Number(n < 0n ? 0n : n > BigInt(size) ? BigInt(size) : n);
}

function channelSlice(
  ctx: Pick<CouplingContext, 'node' | 'constant'>,
  rank: number,
  cin: number,
): ChannelSlice | undefined {
  const [, s = '', e = '', a = '', st = ''] = ctx.node.inputs;
  const starts = ints(ctx.constant(s));
  const ends = ints(ctx.constant(e));
  const axes = a ? ints(ctx.constant(a)) : starts?.map((_, i) => BigInt(i));
  const steps = st ? ints(ctx.constant(st)) : starts?.map(() => 1n);
  if (!starts || !ends || !axes || !steps) return undefined;
  const entry = axes.findIndex((x) => (x < 0n ? Number(x) + rank : Number(x)) === 1);
  if (entry < 0) return { entry, start: 0, end: cin, starts, ends };
  if (steps[entry] !== 1n) return undefined;
  return { entry, start: clamp(starts[entry]!, cin), end: clamp(ends[entry]!, cin), starts, ends };
}

export const sliceRule: OpRule = {
  opType: 'Slice',
  couple(ctx) {
    const x = ctx.node.inputs[0]!;
    const y = ctx.node.outputs[0]!;
    const rank = ctx.dims(x)?.length;
    const cin = ctx.channels(x);
    const cout = ctx.channels(y);
    const slice =
      rank !== undefined && cin !== undefined && ctx.node.inputs.length >= 3
        ? channelSlice(ctx, rank, cin)
        : undefined;
    if (!slice || cout !== slice.end - slice.start) {
      ctx.block(x, 'unsupported-op-form', 'Slice with non-constant bounds, a step, or the attribute form');
      ctx.block(y, 'unsupported-op-form', 'Slice with non-constant bounds, a step, or the attribute form');
      return;
    }
    ctx.coupleRange(x, slice.start, y, 0, cout);
  },
  prune(ctx: SurgeryContext) {
    const x = ctx.node.inputs[0]!;
    const dims = ctx.dims(x)!;
    const slice = channelSlice(ctx, dims.length, dims[1]!)!;
    const keptIn = ctx.keptIn(0);
    if (slice.entry < 0 || !keptIn) return {};
    const below = (i: number) => keptIn.filter((k) => k < i).length;
    const starts = slice.starts.slice();
    const ends = slice.ends.slice();
    starts[slice.entry] = BigInt(below(slice.start));
    ends[slice.entry] = BigInt(below(slice.end));
    const int64 = (name: string, v: bigint[]): Tensor => ({
      name,
      dataType: DataType.INT64,
      dims: [v.length],
      data: BigInt64Array.from(v),
    });
    return {
      inputs: [
        { slot: 1, value: int64('starts', starts) },
        { slot: 2, value: int64('ends', ends) },
      ],
    };
  },
};
