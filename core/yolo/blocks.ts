// The blocks of the YOLO families in train-form, named as ultralytics' ONNX export names them: C2f (v8),
// C3k2 with Bottleneck or C3k (11), C3 (v5u), SPPF, and C2PSA's attention (11). Each emitter takes the
// block's input tensor and returns its output tensor.

import { DataType } from '../onnx/data-type';
import type { ModuleSpec } from './arch-spec';
import type { YoloBuildContext } from './build-context';
import { emitAttention } from './attention-block';
import { int, ints } from './graph-builder';

type Spec<K extends ModuleSpec['kind']> = Extract<ModuleSpec, { kind: K }>;

/** Split sizes as a per-module initializer (torch shares one constant between modules): each module can then be pruned on its own. */
function splitInHalves(ctx: YoloBuildContext, scope: string, x: string, c: number): string[] {
  const sizes = `${scope}/Split_sizes`;
  ctx.g.initializers.set(sizes, {
    name: sizes,
    dataType: DataType.INT64,
    dims: [2],
    data: BigInt64Array.from([BigInt(c), BigInt(c)]),
  });
  return ctx.g.op(scope, 'Split', [x, sizes], { axis: int(1) }, 2);
}

/** ultralytics' Bottleneck(c1, c2, shortcut, k, e): cv1 (k0) → cv2 (k1), plus the input when it may add. */
function emitBottleneck(
  ctx: YoloBuildContext,
  scope: string,
  prefix: string,
  x: string,
  c: number,
  options: { shortcut: boolean; k: readonly [number, number]; e: number },
): string {
  const hidden = Math.floor(c * options.e);
  const h = ctx.convBnSilu(`${scope}/cv1`, `${prefix}.cv1`, x, c, hidden, options.k[0], 1);
  const y = ctx.convBnSilu(`${scope}/cv2`, `${prefix}.cv2`, h, hidden, c, options.k[1], 1);
  return options.shortcut ? ctx.g.op1(scope, 'Add', [x, y]) : y;
}

/** C3 (and C3k): cv3(cat(m(cv1(x)), cv2(x))) with `n` bottlenecks of width c2·e in an nn.Sequential `m`. */
function emitC3Body(
  ctx: YoloBuildContext,
  scope: string,
  prefix: string,
  x: string,
  c1: number,
  c2: number,
  options: { n: number; shortcut: boolean; k: readonly [number, number] },
): string {
  const c = Math.floor(c2 * 0.5);
  let y = ctx.convBnSilu(`${scope}/cv1`, `${prefix}.cv1`, x, c1, c, 1, 1);
  for (let i = 0; i < options.n; i++) {
    y = emitBottleneck(ctx, `${scope}/m/m.${i}`, `${prefix}.m.${i}`, y, c, {
      shortcut: options.shortcut,
      k: options.k,
      e: 1,
    });
  }
  const y2 = ctx.convBnSilu(`${scope}/cv2`, `${prefix}.cv2`, x, c1, c, 1, 1);
  const cat = ctx.g.op1(scope, 'Concat', [y, y2], { axis: int(1) });
  return ctx.convBnSilu(`${scope}/cv3`, `${prefix}.cv3`, cat, 2 * c, c2, 1, 1);
}

/** C2f (v8) and C3k2 (11): cv1 split in halves, blocks chained on the second half, every output concatenated. */
export function emitC2f(ctx: YoloBuildContext, m: Spec<'C2f'> | Spec<'C3k2'>, x: string): string {
  const scope = `/model.${m.index}`;
  const prefix = `model.${m.index}`;
  const c = Math.floor(m.c2 * (m.kind === 'C3k2' ? m.e : 0.5));
  const y0 = ctx.convBnSilu(`${scope}/cv1`, `${prefix}.cv1`, x, m.c1, 2 * c, 1, 1);
  const parts = splitInHalves(ctx, scope, y0, c);
  const ys = [...parts];
  let last = parts[1]!;
  for (let i = 0; i < m.n; i++) {
    const bs = `${scope}/m.${i}`;
    const bp = `${prefix}.m.${i}`;
    if (m.kind === 'C2f') {
      last = emitBottleneck(ctx, bs, bp, last, c, { shortcut: m.shortcut, k: [3, 3], e: 1 });
    } else if (m.c3k) {
      last = emitC3Body(ctx, bs, bp, last, c, c, { n: 2, shortcut: true, k: [3, 3] });
    } else {
      last = emitBottleneck(ctx, bs, bp, last, c, { shortcut: true, k: [3, 3], e: 0.5 });
    }
    ys.push(last);
  }
  const cat = ctx.g.op1(scope, 'Concat', ys, { axis: int(1) });
  return ctx.convBnSilu(`${scope}/cv2`, `${prefix}.cv2`, cat, (2 + m.n) * c, m.c2, 1, 1);
}

/** C3 (v5u): bottlenecks with a 1×1 then a 3×3 conv. */
export function emitC3(ctx: YoloBuildContext, m: Spec<'C3'>, x: string): string {
  return emitC3Body(ctx, `/model.${m.index}`, `model.${m.index}`, x, m.c1, m.c2, {
    n: m.n,
    shortcut: m.shortcut,
    k: [1, 3],
  });
}

export function emitSppf(ctx: YoloBuildContext, m: Spec<'SPPF'>, x: string): string {
  const { g } = ctx;
  const scope = `/model.${m.index}`;
  const c = Math.floor(m.c1 / 2);
  const y = ctx.convBnSilu(`${scope}/cv1`, `model.${m.index}.cv1`, x, m.c1, c, 1, 1);
  const p = Math.floor(m.k / 2);
  const pool = (input: string, sub: string) =>
    g.op1(`${scope}/${sub}`, 'MaxPool', [input], {
      ceil_mode: int(0),
      dilations: ints([1, 1]),
      kernel_shape: ints([m.k, m.k]),
      pads: ints([p, p, p, p]),
      strides: ints([1, 1]),
    });
  // torch names repeated calls of the same submodule m, m_1, m_2.
  const p1 = pool(y, 'm');
  const p2 = pool(p1, 'm_1');
  const p3 = pool(p2, 'm_2');
  const cat = g.op1(scope, 'Concat', [y, p1, p2, p3], { axis: int(1) });
  return ctx.convBnSilu(`${scope}/cv2`, `model.${m.index}.cv2`, cat, c * 4, m.c2, 1, 1);
}

/**
 * C2PSA (11): cv1 split in halves; the second half runs through `n` PSABlocks (attention and a 2-layer
 * feed-forward, each added to its input); cv2 joins the halves. `hw` is the block's spatial size.
 */
export function emitC2psa(
  ctx: YoloBuildContext,
  m: Spec<'C2PSA'>,
  x: string,
  hw: readonly [number, number],
  dynamic: boolean,
): string {
  const scope = `/model.${m.index}`;
  const prefix = `model.${m.index}`;
  const c = Math.floor(m.c1 * 0.5);
  const y0 = ctx.convBnSilu(`${scope}/cv1`, `${prefix}.cv1`, x, m.c1, 2 * c, 1, 1);
  const [a, b] = splitInHalves(ctx, scope, y0, c);
  let y = b!;
  for (let i = 0; i < m.n; i++) {
    const bs = `${scope}/m/m.${i}`;
    const bp = `${prefix}.m.${i}`;
    const attn = emitAttention(ctx, `${bs}/attn`, `${bp}.attn`, y, c, { hw, dynamic });
    y = ctx.g.op1(bs, 'Add', [y, attn]);
    const f = ctx.convBnSilu(`${bs}/ffn/ffn.0`, `${bp}.ffn.0`, y, c, 2 * c, 1, 1);
    const f2 = ctx.convBnSilu(`${bs}/ffn/ffn.1`, `${bp}.ffn.1`, f, 2 * c, c, 1, 1, { act: false });
    y = ctx.g.op1(bs, 'Add', [y, f2]);
  }
  const cat = ctx.g.op1(scope, 'Concat', [a!, y], { axis: int(1) });
  return ctx.convBnSilu(`${scope}/cv2`, `${prefix}.cv2`, cat, 2 * c, m.c1, 1, 1);
}
