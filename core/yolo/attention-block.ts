// ultralytics' Attention (the PSA block of YOLO11's C2PSA) as its ONNX export traces it: a qkv conv viewed as
// [B, heads, 2·key_dim + head_dim, H·W], split into q, k, v along axis 2, softmax(qᵀk·scale) applied to v,
// viewed back to [B, C, H, W], plus a depthwise positional conv of v, then a 1×1 projection. A dynamic
// export builds the view shapes from Shape(x) (batch, H, W) and constants (heads, widths), as torch does.

import { DataType } from '../onnx/data-type';
import type { YoloBuildContext } from './build-context';
import { int, ints } from './graph-builder';

export interface AttentionOptions {
  /** Spatial size of the block's input (static exports bake it into the view shapes). */
  readonly hw: readonly [number, number];
  /** Build the view shapes from the input's Shape instead of constants. */
  readonly dynamic: boolean;
  /** attn_ratio: key_dim = head_dim · ratio. Default 0.5 (PSABlock). */
  readonly attnRatio?: number;
}

export function emitAttention(
  ctx: YoloBuildContext,
  scope: string,
  prefix: string,
  x: string,
  dim: number,
  options: AttentionOptions,
): string {
  const { g } = ctx;
  const I64 = DataType.INT64;
  const heads = Math.max(Math.floor(dim / 64), 1);
  const headDim = Math.floor(dim / heads);
  const keyDim = Math.floor(headDim * (options.attnRatio ?? 0.5));
  const [h, w] = options.hw;
  const perHead = 2 * keyDim + headDim;

  // Dynamic exports read batch, H and W of the input once, before the qkv conv.
  let dynamicShape: { b: string; h: string; w: string; n: string } | undefined;
  if (options.dynamic) {
    const shape = g.op1(scope, 'Shape', [x]);
    const at = (i: number) =>
      g.op1(scope, 'Gather', [shape, g.constant(scope, I64, [], [i])], { axis: int(0) });
    const [b, hh, ww] = [at(0), at(2), at(3)];
    const n = g.op1(scope, 'Mul', [hh, ww]);
    const un = (t: string) => g.op1(scope, 'Unsqueeze', [t, g.constant(scope, I64, [1], [0])]);
    dynamicShape = { b: un(b), h: un(hh), w: un(ww), n: un(n) };
  }
  const viewShape = (dims: readonly (number | 'b' | 'h' | 'w' | 'n')[]): string => {
    if (!dynamicShape) {
      const fixed = dims.map((d) => (d === 'b' ? 1 : d === 'h' ? h : d === 'w' ? w : d === 'n' ? h * w : d));
      return g.constant(scope, I64, [4], fixed);
    }
    const parts = dims.map((d) =>
      typeof d === 'number' ? g.constant(scope, I64, [1], [d]) : dynamicShape![d],
    );
    return g.op1(scope, 'Concat', parts, { axis: int(0) });
  };

  const qkv = ctx.convBnSilu(`${scope}/qkv`, `${prefix}.qkv`, x, dim, dim + 2 * keyDim * heads, 1, 1, {
    act: false,
  });
  const heads4 = g.op1(scope, 'Reshape', [qkv, viewShape(['b', heads, perHead, 'n'])], { allowzero: int(0) });
  const sizes = `${scope}/Split_sizes`;
  g.initializers.set(sizes, {
    name: sizes,
    dataType: I64,
    dims: [3],
    data: BigInt64Array.from([keyDim, keyDim, headDim].map(BigInt)),
  });
  const [q, k, v] = g.op(scope, 'Split', [heads4, sizes], { axis: int(2) }, 3);
  const qs = g.op1(scope, 'Mul', [q!, g.constant(scope, DataType.FLOAT, [], [keyDim ** -0.5])]);
  const qt = g.op1(scope, 'Transpose', [qs], { perm: ints([0, 1, 3, 2]) });
  const logits = g.op1(scope, 'MatMul', [qt, k!]);
  const attn = g.op1(scope, 'Softmax', [logits], { axis: int(-1) });
  const attnT = g.op1(scope, 'Transpose', [attn], { perm: ints([0, 1, 3, 2]) });
  const mixed = g.op1(scope, 'MatMul', [v!, attnT]);
  // torch traces both view shapes before either view.
  const outShape = viewShape(['b', dim, 'h', 'w']);
  const vShape = viewShape(['b', dim, 'h', 'w']);
  const out = g.op1(scope, 'Reshape', [mixed, outShape], { allowzero: int(0) });
  const vImage = g.op1(scope, 'Reshape', [v!, vShape], { allowzero: int(0) });
  const pe = ctx.convBnSilu(`${scope}/pe`, `${prefix}.pe`, vImage, dim, dim, 3, 1, {
    groups: dim,
    act: false,
  });
  const sum = g.op1(scope, 'Add', [out, pe]);
  return ctx.convBnSilu(`${scope}/proj`, `${prefix}.proj`, sum, dim, dim, 1, 1, { act: false });
}
