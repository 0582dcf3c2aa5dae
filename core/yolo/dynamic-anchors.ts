// The anchor grid of a dynamic Detect head, computed at run time from each level's Shape as ultralytics'
// make_anchors traces with export(dynamic=True): per level, centres (x + 0.5, y + 0.5) over H×W and a column
// of the level's stride; levels concatenated and transposed to [2, A] and [1, A].

import { DataType } from '../onnx/data-type';
import { DETECT_STRIDES } from './arch-spec';
import type { YoloBuildContext } from './build-context';
import { int, ints } from './graph-builder';

export function emitDynamicAnchors(
  ctx: YoloBuildContext,
  scope: string,
  levels: readonly string[],
): { points: string; strides: string } {
  const { g } = ctx;
  const I64 = DataType.INT64;
  const scalar = (v: number) => g.constant(scope, I64, [], [v]);
  const vector = (values: readonly number[]) => g.constant(scope, I64, [values.length], values);
  const unsqueeze = (t: string, axis: number) => g.op1(scope, 'Unsqueeze', [t, vector([axis])]);
  const points: string[] = [];
  const strides: string[] = [];
  levels.forEach((level, i) => {
    const shape = g.op1(scope, 'Shape', [level]);
    const h = g.op1(scope, 'Gather', [shape, scalar(2)], { axis: int(0) });
    const w = g.op1(scope, 'Gather', [shape, scalar(3)], { axis: int(0) });
    const centres = (n: string) => {
      const range = g.op1(scope, 'Range', [scalar(0), n, scalar(1)]);
      const asFloat = g.op1(scope, 'Cast', [range], { to: int(DataType.FLOAT) });
      return g.op1(scope, 'Add', [asFloat, g.constant(scope, DataType.FLOAT, [], [0.5])]);
    };
    const hw = g.op1(scope, 'Concat', [unsqueeze(h, 0), unsqueeze(w, 0)], { axis: int(0) });
    const gx = g.op1(scope, 'Expand', [g.op1(scope, 'Reshape', [centres(w), vector([1, -1])]), hw]);
    const gy = g.op1(scope, 'Expand', [g.op1(scope, 'Reshape', [centres(h), vector([-1, 1])]), hw]);
    const xy = g.op1(scope, 'Concat', [unsqueeze(gx, -1), unsqueeze(gy, -1)], { axis: int(-1) });
    points.push(g.op1(scope, 'Reshape', [xy, vector([-1, 2])]));
    const count = g.op1(scope, 'Concat', [unsqueeze(g.op1(scope, 'Mul', [h, w]), 0), vector([1])], {
      axis: int(0),
    });
    strides.push(
      g.op1(scope, 'ConstantOfShape', [count], {
        value: {
          type: 'tensor',
          value: { name: '', dataType: DataType.FLOAT, dims: [1], data: Float32Array.of(DETECT_STRIDES[i]!) },
        },
      }),
    );
  });
  const transpose = (parts: string[]) =>
    g.op1(scope, 'Transpose', [g.op1(scope, 'Concat', parts, { axis: int(0) })], { perm: ints([1, 0]) });
  return { points: transpose(points), strides: transpose(strides) };
}
