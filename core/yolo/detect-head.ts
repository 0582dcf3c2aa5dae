// The YOLOv8 Detect head as ultralytics exports it: per level a box branch (cv2.i, 4·reg_max channels) and a
// class branch (cv3.i, nc channels), flattened and concatenated over levels, DFL decoding of the box
// distribution, dist2bbox (xywh) scaled by the stride, sigmoid class scores. Node order and names follow
// the torch exporter's trace, constants included, so that names line up with ultralytics' export.

import { DataType } from '../onnx/data-type';
import { DETECT_STRIDES, type ModuleSpec, type YoloV8Spec, anchorCount } from './arch-spec';
import type { YoloBuildContext } from './build-yolov8';
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
  spec: YoloV8Spec,
  m: Extract<ModuleSpec, { kind: 'Detect' }>,
  inputs: readonly string[],
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
    const a = ctx.convBnSilu(`${s}/${name}.${i}.0`, `${p}.0`, inputs[i]!, m.ch[i]!, hidden, 3, 1);
    const b = ctx.convBnSilu(`${s}/${name}.${i}.1`, `${p}.1`, a, hidden, hidden, 3, 1);
    return ctx.conv2d(`${s}/${name}.${i}.2`, `${p}.2`, b, hidden, out, new Float32Array(out).fill(bias));
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
      if (i === 0) shapes = inputs.map(() => g.constant(scope, I64, [3], [1, out, -1]));
      flat.push(g.op1(scope, 'Reshape', [y, shapes[i]!], { allowzero: int(0) }));
    }
    return g.op1(scope, 'Concat', flat, { axis: int(-1) });
  };

  // ultralytics' Detect.bias_init: box logits 1.0, class logits log(5 / nc / (640 / stride)²).
  const box = flattenLevels('cv2', c2, boxCh, () => 1);
  const cls = flattenLevels('cv3', c3, m.nc, (s) => Math.log(5 / m.nc / (640 / s) ** 2));

  // DFL: softmax over the reg_max bins, expectation via a fixed 1×1 conv with weights 0..reg_max-1.
  const dfl = `${scope}/dfl`;
  const r = g.op1(dfl, 'Reshape', [box, g.constant(dfl, I64, [4], [1, 4, m.regMax, A])], {
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
  const dist = g.op1(dfl, 'Reshape', [conv, g.constant(dfl, I64, [3], [1, 4, A])], { allowzero: int(0) });

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
  const { points, strides } = anchorGrid(spec.imgsz);
  const x1y1 = g.op1(scope, 'Sub', [g.constant(scope, F32, [1, 2, A], points), lt]);
  const x2y2 = g.op1(scope, 'Add', [g.constant(scope, F32, [1, 2, A], points), rb]);
  const sum = g.op1(scope, 'Add', [x1y1, x2y2]);
  const centre = g.op1(scope, 'Div', [sum, g.constant(scope, F32, [], [2])]);
  const wh = g.op1(scope, 'Sub', [x2y2, x1y1]);
  const xywh = g.op1(scope, 'Concat', [centre, wh], { axis: int(1) });
  const boxes = g.op1(scope, 'Mul', [xywh, g.constant(scope, F32, [1, A], strides)]);
  const scores = g.op1(scope, 'Sigmoid', [cls]);
  g.op1(scope, 'Concat', [boxes, scores], { axis: int(1) });
  // The graph output is named output0, as in ultralytics' export.
  const last = g.nodes[g.nodes.length - 1]!;
  g.nodes[g.nodes.length - 1] = { ...last, outputs: ['output0'] };
  return 'output0';
}
