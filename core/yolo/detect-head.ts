// The Detect head as ultralytics exports it: per level a box branch (cv2.i, 4·reg_max channels) and a class
// branch (cv3.i, nc channels; plain 3×3 convs in legacy heads, DWConv + 1×1 in YOLO11's), flattened and
// concatenated over levels, DFL decoding of the box distribution, dist2bbox (xywh) scaled by the stride,
// sigmoid class scores. Node order and names follow the torch exporter's trace, constants included, so that
// names line up with ultralytics' export. A dynamic head computes anchors and view shapes from Shape ops.

import { DataType } from '../onnx/data-type';
import { DETECT_STRIDES, type ModuleSpec, type YoloSpec, anchorCount } from './arch-spec';
import type { YoloBuildContext } from './build-context';
import { emitDynamicAnchors } from './dynamic-anchors';
import { int, ints } from './graph-builder';

/** Anchor centres (x row, then y row) and per-anchor strides, as ultralytics' make_anchors(offset 0.5). */
export function anchorGrid(imgsz: number): { points: Float32Array; strides: Float32Array } {
  const total = anchorCount(imgsz);
  const points = new Float32Array(2 * total);
  const strides = new Float32Array(total);
  let k = 0;
  for (const s of DETECT_STRIDES) {
    const n = imgsz / s;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++, k++) {
        points[k] = x + 0.5;
        points[total + k] = y + 0.5;
        strides[k] = s;
      }
    }
  }
  return { points, strides };
}

export function emitDetectHead(
  ctx: YoloBuildContext,
  spec: YoloSpec,
  m: Extract<ModuleSpec, { kind: 'Detect' }>,
  inputs: readonly string[],
  options: { dynamic: boolean },
): string {
  const { g } = ctx;
  const scope = `/model.${m.index}`;
  const prefix = `model.${m.index}`;
  const boxCh = 4 * m.regMax;
  const c2 = Math.max(16, Math.floor(m.ch[0]! / 4), boxCh);
  const c3 = Math.max(m.ch[0]!, Math.min(m.nc, 100));
  const A = anchorCount(spec.imgsz);
  const I64 = DataType.INT64;
  const F32 = DataType.FLOAT;

  const branch = (name: 'cv2' | 'cv3', i: number, hidden: number, out: number, bias: number) => {
    const s = `${scope}/${name}.${i}`;
    const p = `${prefix}.${name}.${i}`;
    const x = inputs[i]!;
    const c1 = m.ch[i]!;
    let b: string;
    if (name === 'cv2' || m.legacy) {
      const a = ctx.convBnSilu(`${s}/${name}.${i}.0`, `${p}.0`, x, c1, hidden, 3, 1);
      b = ctx.convBnSilu(`${s}/${name}.${i}.1`, `${p}.1`, a, hidden, hidden, 3, 1);
    } else {
      // Sequential(Sequential(DWConv(c1, c1, 3), Conv(c1, c3, 1)), Sequential(DWConv(c3, c3, 3), Conv(c3, c3, 1)))
      const sub = (j: number, t: number) =>
        [`${s}/${name}.${i}.${j}/${name}.${i}.${j}.${t}`, `${p}.${j}.${t}`] as const;
      const [s00, p00] = sub(0, 0);
      const [s01, p01] = sub(0, 1);
      const [s10, p10] = sub(1, 0);
      const [s11, p11] = sub(1, 1);
      const a0 = ctx.convBnSilu(s00, p00, x, c1, c1, 3, 1, { groups: c1 });
      const a1 = ctx.convBnSilu(s01, p01, a0, c1, hidden, 1, 1);
      const b0 = ctx.convBnSilu(s10, p10, a1, hidden, hidden, 3, 1, { groups: hidden });
      b = ctx.convBnSilu(s11, p11, b0, hidden, hidden, 1, 1);
    }
    return ctx.conv2d(`${s}/${name}.${i}.2`, `${p}.2`, b, hidden, out, new Float32Array(out).fill(bias));
  };

  // Dynamic heads read the batch size from the first level's shape.
  let batch: string | undefined;
  const dynamicShape = (tail: readonly number[]): string => {
    if (!batch) {
      const shape = g.op1(scope, 'Shape', [inputs[0]!]);
      const b = g.op1(scope, 'Gather', [shape, g.constant(scope, I64, [], [0])], { axis: int(0) });
      batch = g.op1(scope, 'Unsqueeze', [b, g.constant(scope, I64, [1], [0])]);
    }
    const parts = tail.map((d) => g.constant(scope, I64, [1], [d]));
    return g.op1(scope, 'Concat', [batch, ...parts], { axis: int(0) });
  };

  // Flatten each level to [1, C, H·W]; torch hoists all three shape constants before the first Reshape.
  const flattenLevels = (
    name: 'cv2' | 'cv3',
    hidden: number,
    out: number,
    bias: (stride: number) => number,
  ) => {
    const flat: string[] = [];
    let shapes: string[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const y = branch(name, i, hidden, out, bias(DETECT_STRIDES[i]!));
      if (i === 0)
        shapes = inputs.map(() =>
          options.dynamic ? dynamicShape([out, -1]) : g.constant(scope, I64, [3], [1, out, -1]),
        );
      flat.push(g.op1(scope, 'Reshape', [y, shapes[i]!], { allowzero: int(0) }));
    }
    return g.op1(scope, 'Concat', flat, { axis: int(-1) });
  };

  // ultralytics' Detect.bias_init: box logits 1.0, class logits log(5 / nc / (640 / stride)²).
  const box = flattenLevels('cv2', c2, boxCh, () => 1);
  const cls = flattenLevels('cv3', c3, m.nc, (s) => Math.log(5 / m.nc / (640 / s) ** 2));

  // DFL: softmax over the reg_max bins, expectation via a fixed 1×1 conv with weights 0..reg_max-1.
  const dfl = `${scope}/dfl`;
  const boxView = options.dynamic
    ? dynamicShape([4, m.regMax, -1])
    : g.constant(dfl, I64, [4], [1, 4, m.regMax, A]);
  const r = g.op1(dfl, 'Reshape', [box, boxView], {
    allowzero: int(0),
  });
  const t = g.op1(dfl, 'Transpose', [r], { perm: ints([0, 2, 1, 3]) });
  const sm = g.op1(dfl, 'Softmax', [t], { axis: int(1) });
  const w = g.initializer(
    `${prefix}.dfl.conv.weight`,
    [1, m.regMax, 1, 1],
    Float32Array.from({ length: m.regMax }, (_, i) => i),
  );
  const conv = g.op1(`${dfl}/conv`, 'Conv', [sm, w], {
    dilations: ints([1, 1]),
    group: int(1),
    kernel_shape: ints([1, 1]),
    pads: ints([0, 0, 0, 0]),
    strides: ints([1, 1]),
  });
  const distView = options.dynamic ? dynamicShape([4, -1]) : g.constant(dfl, I64, [3], [1, 4, A]);
  const dist = g.op1(dfl, 'Reshape', [conv, distView], { allowzero: int(0) });

  // dist.chunk(2, 1), traced as shape arithmetic: half = (dim1 + 1) / 2; lt = [0, half), rb = [half, 2·half).
  const shape = g.op1(scope, 'Shape', [dist]);
  const axis1 = g.constant(scope, I64, [1], [1]);
  const dim1 = g.op1(scope, 'Gather', [shape, axis1], { axis: int(0) });
  const zero = g.constant(scope, I64, [1], [0]);
  const plus = g.op1(scope, 'Add', [dim1, g.constant(scope, I64, [1], [1])]);
  const half = g.op1(scope, 'Div', [plus, g.constant(scope, I64, [1], [2])]);
  const end0 = g.op1(scope, 'Mul', [half, g.constant(scope, I64, [1], [1])]);
  const lt = g.op1(scope, 'Slice', [dist, zero, end0, axis1]);
  const end1 = g.op1(scope, 'Mul', [half, g.constant(scope, I64, [1], [2])]);
  const rb = g.op1(scope, 'Slice', [dist, end0, end1, axis1]);

  // dist2bbox(xywh=True): x1y1 = anchor - lt, x2y2 = anchor + rb, centre = (x1y1 + x2y2) / 2, wh = x2y2 - x1y1.
  const grid = options.dynamic ? emitDynamicAnchors(ctx, scope, inputs) : undefined;
  const fixed = grid ? undefined : anchorGrid(spec.imgsz);
  const pointsOf = () => grid?.points ?? g.constant(scope, F32, [1, 2, A], fixed!.points);
  const x1y1 = g.op1(scope, 'Sub', [pointsOf(), lt]);
  const x2y2 = g.op1(scope, 'Add', [pointsOf(), rb]);
  const sum = g.op1(scope, 'Add', [x1y1, x2y2]);
  const centre = g.op1(scope, 'Div', [sum, g.constant(scope, F32, [], [2])]);
  const wh = g.op1(scope, 'Sub', [x2y2, x1y1]);
  const xywh = g.op1(scope, 'Concat', [centre, wh], { axis: int(1) });
  const strideRow = grid?.strides ?? g.constant(scope, F32, [1, A], fixed!.strides);
  const boxes = g.op1(scope, 'Mul', [xywh, strideRow]);
  const scores = g.op1(scope, 'Sigmoid', [cls]);
  g.op1(scope, 'Concat', [boxes, scores], { axis: int(1) });
  // The graph output is named output0, as in ultralytics' export.
  const last = g.nodes[g.nodes.length - 1]!;
  g.nodes[g.nodes.length - 1] = { ...last, outputs: ['output0'] };
  return 'output0';
}
