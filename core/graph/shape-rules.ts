// Output shapes (and, for small integer tensors, values) per op type, for the op set of YOLOv8 exports.
// A rule gets what is known about its inputs and returns one entry per output. Opset differences
// (Split/Unsqueeze/Slice attribute vs input forms) are handled by looking at both.

import { floatAttr, intAttr, intsAttr, stringAttr } from '../onnx/attributes';
import { DataType } from '../onnx/data-type';
import type { Dim, Node, Tensor } from '../onnx/model';
import { type ConstValue, elementCount, MAX_CONST_ELEMENTS, type ValueShape } from './value-shape';

export interface RuleInput {
  readonly node: Node;
  readonly opset: number;
  /** Per input; undefined for omitted optional inputs or unknown tensors. */
  readonly shapes: readonly (ValueShape | undefined)[];
  readonly constants: readonly (ConstValue | undefined)[];
}

export interface RuleOutput {
  readonly shape: ValueShape;
  readonly constant?: ConstValue;
}

export type ShapeRule = (input: RuleInput) => RuleOutput[];

/** Thrown by a rule when what it needs is unknown; the driver records it and leaves outputs unknown. */
export class ShapeUnknown extends Error {}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new ShapeUnknown(what);
  return value;
}

function dimsOf(input: RuleInput, i: number): readonly Dim[] {
  return need(input.shapes[i]?.dims, `rank of input ${i}`);
}

function elemOf(input: RuleInput, i: number): number {
  return input.shapes[i]?.elemType ?? DataType.FLOAT;
}

function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new ShapeUnknown(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

function same(input: RuleInput): RuleOutput[] {
  const shape = input.shapes[0];
  return [
    {
      shape: { elemType: elemOf(input, 0), dims: shape?.dims },
      ...(input.constants[0] ? { constant: input.constants[0] } : {}),
    },
  ];
}

function broadcast(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    // A missing leading dim broadcasts as 1; an unknown one (null) stays unknown.
    const ia = a.length - rank + i;
    const ib = b.length - rank + i;
    const x = ia < 0 ? 1 : a[ia]!;
    const y = ib < 0 ? 1 : b[ib]!;
    out.push(
      x === 1
        ? y
        : y === 1
          ? x
          : x === y
            ? x
            : typeof x === 'number' && typeof y === 'number'
              ? NaN
              : (x ?? y),
    );
  }
  if (out.some((d) => Number.isNaN(d))) throw new ShapeUnknown(`cannot broadcast [${a}] with [${b}]`);
  return out;
}

function foldBinary(
  input: RuleInput,
  op: (x: number, y: number) => number,
  dims: Dim[],
): ConstValue | undefined {
  const [a, b] = input.constants;
  if (!a || !b || dims.some((d) => typeof d !== 'number')) return undefined;
  const outDims = dims as number[];
  const n = elementCount(outDims);
  if (n > MAX_CONST_ELEMENTS) return undefined;
  // Only scalar/same-size operands are folded; that is all shape arithmetic uses.
  if ((a.values.length !== 1 && a.values.length !== n) || (b.values.length !== 1 && b.values.length !== n))
    return undefined;
  const values = Array.from({ length: n }, (_, i) =>
    op(a.values[a.values.length === 1 ? 0 : i]!, b.values[b.values.length === 1 ? 0 : i]!),
  );
  return { dims: outDims, values };
}

function binary(op: (x: number, y: number, integer: boolean) => number): ShapeRule {
  return (input) => {
    const dims = broadcast(dimsOf(input, 0), dimsOf(input, 1));
    const elemType = elemOf(input, 0);
    const integer =
      elemType !== DataType.FLOAT && elemType !== DataType.DOUBLE && elemType !== DataType.FLOAT16;
    const constant = foldBinary(input, (x, y) => op(x, y, integer), dims);
    return [{ shape: { elemType, dims }, ...(constant ? { constant } : {}) }];
  };
}

function spatialOutput(node: Node, inDims: readonly Dim[], kernel: readonly number[], ceil: boolean): Dim[] {
  const spatial = inDims.length - 2;
  const strides = intsAttr(node, 'strides') ?? new Array<number>(spatial).fill(1);
  const dilations = intsAttr(node, 'dilations') ?? new Array<number>(spatial).fill(1);
  const autoPad = stringAttr(node, 'auto_pad', 'NOTSET');
  const pads = intsAttr(node, 'pads') ?? new Array<number>(2 * spatial).fill(0);
  const out: Dim[] = [];
  for (let i = 0; i < spatial; i++) {
    const size = inDims[i + 2];
    if (typeof size !== 'number') {
      out.push(null);
      continue;
    }
    const s = strides[i]!;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      out.push(Math.ceil(size / s));
      continue;
    }
    const extent = (kernel[i]! - 1) * dilations[i]! + 1;
    const padded = autoPad === 'VALID' ? size : size + pads[i]! + pads[i + spatial]!;
    const round = ceil ? Math.ceil : Math.floor;
    out.push(round((padded - extent) / s) + 1);
  }
  return out;
}

function conv({ node, shapes }: RuleInput): RuleOutput[] {
  const w = need(shapes[1]?.dims, 'conv weight shape');
  const x = shapes[0]?.dims;
  // Behind an op without a shape rule the input is unknown, but the weights still give the output channels.
  if (!x)
    return [
      { shape: { elemType: shapes[1]!.elemType, dims: [null, w[0] ?? null, ...w.slice(2).map(() => null)] } },
    ];
  const kernel = intsAttr(node, 'kernel_shape') ?? (w.slice(2) as number[]);
  return [
    {
      shape: {
        elemType: shapes[0]!.elemType,
        dims: [x[0] ?? null, w[0] ?? null, ...spatialOutput(node, x, kernel, false)],
      },
    },
  ];
}

function pool({ node, shapes }: RuleInput): RuleOutput[] {
  const x = need(shapes[0]?.dims, 'pool input rank');
  const kernel = need(intsAttr(node, 'kernel_shape'), 'kernel_shape');
  const dims = [
    x[0] ?? null,
    x[1] ?? null,
    ...spatialOutput(node, x, kernel, intAttr(node, 'ceil_mode', 0) === 1),
  ];
  return [{ shape: { elemType: shapes[0]!.elemType, dims } }];
}

function concat(input: RuleInput): RuleOutput[] {
  const rank = dimsOf(input, 0).length;
  const axis = normAxis(intAttr(input.node, 'axis', 0), rank);
  const dims: Dim[] = [...dimsOf(input, 0)];
  let total: Dim = 0;
  for (let i = 0; i < input.shapes.length; i++) {
    const d = dimsOf(input, i)[axis];
    total = typeof total === 'number' && typeof d === 'number' ? total + d : null;
  }
  dims[axis] = total;
  const constant =
    input.constants.every((c) => c !== undefined) &&
    rank === 1 &&
    typeof total === 'number' &&
    total <= MAX_CONST_ELEMENTS
      ? { dims: [total], values: input.constants.flatMap((c) => [...c!.values]) }
      : undefined;
  return [{ shape: { elemType: elemOf(input, 0), dims }, ...(constant ? { constant } : {}) }];
}

function split(input: RuleInput): RuleOutput[] {
  const { node } = input;
  const inDims = dimsOf(input, 0);
  const axis = normAxis(intAttr(node, 'axis', 0), inDims.length);
  const count = node.outputs.length;
  let sizes: readonly number[] | undefined = intsAttr(node, 'split') ?? input.constants[1]?.values;
  if (!sizes && node.inputs[1]) throw new ShapeUnknown('split sizes');
  if (!sizes) {
    const total = inDims[axis];
    if (typeof total !== 'number') throw new ShapeUnknown('split axis size');
    const chunk = Math.ceil(total / count);
    sizes = Array.from({ length: count }, (_, i) => Math.min(chunk, total - chunk * i));
  }
  return sizes.map((s) => {
    const dims = [...inDims];
    dims[axis] = s;
    return { shape: { elemType: elemOf(input, 0), dims } };
  });
}

function slice(input: RuleInput): RuleOutput[] {
  const { node, opset } = input;
  const inDims = dimsOf(input, 0);
  const fromInputs = opset >= 10;
  const starts = fromInputs
    ? need(input.constants[1], 'slice starts').values
    : need(intsAttr(node, 'starts'), 'starts');
  const ends = fromInputs
    ? need(input.constants[2], 'slice ends').values
    : need(intsAttr(node, 'ends'), 'ends');
  const axes =
    (fromInputs ? node.inputs[3] && need(input.constants[3], 'slice axes').values : intsAttr(node, 'axes')) ||
    starts.map((_, i) => i);
  const steps =
    (fromInputs && node.inputs[4] && need(input.constants[4], 'slice steps').values) || starts.map(() => 1);
  const dims = [...inDims];
  const ranges: [number, number, number][] = [];
  axes.forEach((axisRaw, i) => {
    const axis = normAxis(axisRaw, inDims.length);
    const size = inDims[axis];
    if (typeof size !== 'number') {
      dims[axis] = null;
      return;
    }
    const step = steps[i]!;
    const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v < 0 ? v + size : v));
    const start = step > 0 ? clamp(starts[i]!, 0, size) : clamp(starts[i]!, -1, size - 1);
    const end = step > 0 ? clamp(ends[i]!, 0, size) : clamp(ends[i]!, -1, size - 1);
    dims[axis] = Math.max(0, Math.ceil((end - start) / step));
    ranges[axis] = [start, end, step];
  });
  const c = input.constants[0];
  let constant: ConstValue | undefined;
  if (c && c.dims.length === 1 && ranges[0]) {
    const [start, end, step] = ranges[0];
    const values: number[] = [];
    for (let k = start; step > 0 ? k < end : k > end; k += step) values.push(c.values[k]!);
    constant = { dims: [values.length], values };
  }
  return [{ shape: { elemType: elemOf(input, 0), dims }, ...(constant ? { constant } : {}) }];
}

function resize(input: RuleInput): RuleOutput[] {
  const inDims = dimsOf(input, 0);
  const sizes = input.node.inputs[3] ? input.constants[3] : undefined;
  if (sizes) return [{ shape: { elemType: elemOf(input, 0), dims: [...sizes.values] } }];
  const scales = need(
    input.constants[2] ?? (input.node.inputs.length === 2 ? input.constants[1] : undefined),
    'resize scales',
  );
  const dims = inDims.map((d, i) => (typeof d === 'number' ? Math.floor(d * scales.values[i]!) : d));
  return [{ shape: { elemType: elemOf(input, 0), dims } }];
}

function reshape(input: RuleInput): RuleOutput[] {
  const inDims = dimsOf(input, 0);
  const target = need(input.constants[1], 'reshape target').values;
  const allowZero = intAttr(input.node, 'allowzero', 0) === 1;
  const dims: Dim[] = target.map((t, i) => (t === 0 && !allowZero ? (inDims[i] ?? null) : t));
  const minus = dims.indexOf(-1);
  if (minus >= 0) {
    const known = dims.filter((_, i) => i !== minus);
    const total = inDims.every((d) => typeof d === 'number') ? elementCount(inDims as number[]) : undefined;
    dims[minus] =
      total !== undefined && known.every((d) => typeof d === 'number')
        ? total / elementCount(known as number[])
        : null;
  }
  const c = input.constants[0];
  const constant =
    c && dims.every((d) => typeof d === 'number') ? { dims: dims as number[], values: c.values } : undefined;
  return [{ shape: { elemType: elemOf(input, 0), dims }, ...(constant ? { constant } : {}) }];
}

function transpose(input: RuleInput): RuleOutput[] {
  const inDims = dimsOf(input, 0);
  const perm = intsAttr(input.node, 'perm') ?? inDims.map((_, i) => inDims.length - 1 - i);
  return [{ shape: { elemType: elemOf(input, 0), dims: perm.map((p) => inDims[p] ?? null) } }];
}

function gather(input: RuleInput): RuleOutput[] {
  const data = dimsOf(input, 0);
  const indices = dimsOf(input, 1);
  const axis = normAxis(intAttr(input.node, 'axis', 0), data.length);
  const dims = [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)];
  const c = input.constants[0];
  const idx = input.constants[1];
  let constant: ConstValue | undefined;
  if (c && idx && c.dims.length === 1) {
    const n = c.values.length;
    constant = { dims: dims as number[], values: idx.values.map((i) => c.values[i < 0 ? i + n : i]!) };
  }
  return [{ shape: { elemType: elemOf(input, 0), dims }, ...(constant ? { constant } : {}) }];
}

function shapeOp(input: RuleInput): RuleOutput[] {
  const inDims = dimsOf(input, 0);
  const rank = inDims.length;
  const clampAxis = (a: number) => Math.max(0, Math.min(rank, a < 0 ? a + rank : a));
  const start = clampAxis(intAttr(input.node, 'start', 0));
  const end = clampAxis(intAttr(input.node, 'end', rank));
  const part = inDims.slice(start, end);
  const dims = [part.length];
  const constant = part.every((d) => typeof d === 'number') ? { dims, values: part as number[] } : undefined;
  return [{ shape: { elemType: DataType.INT64, dims }, ...(constant ? { constant } : {}) }];
}

function unsqueeze(input: RuleInput): RuleOutput[] {
  const inDims = dimsOf(input, 0);
  const axes = intsAttr(input.node, 'axes') ?? need(input.constants[1], 'unsqueeze axes').values;
  const rank = inDims.length + axes.length;
  const normalized = axes.map((a) => normAxis(a, rank));
  const dims: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) dims.push(normalized.includes(i) ? 1 : (inDims[k++] ?? null));
  const c = input.constants[0];
  const constant = c ? { dims: dims as number[], values: c.values } : undefined;
  return [{ shape: { elemType: elemOf(input, 0), dims }, ...(constant ? { constant } : {}) }];
}

export function tensorConstant(t: Tensor): ConstValue | undefined {
  if (Array.isArray(t.data) || t.rawBytes || t.data.length > MAX_CONST_ELEMENTS) return undefined;
  return { dims: t.dims, values: Array.from(t.data as ArrayLike<number | bigint>, Number) };
}

function constantOp({ node }: RuleInput): RuleOutput[] {
  const a = Object.entries(node.attributes)[0];
  if (!a) throw new ShapeUnknown('Constant without value');
  const [name, attr] = a;
  if (attr.type === 'tensor') {
    const constant = tensorConstant(attr.value);
    return [
      { shape: { elemType: attr.value.dataType, dims: attr.value.dims }, ...(constant ? { constant } : {}) },
    ];
  }
  if (name === 'value_float')
    return [
      {
        shape: { elemType: DataType.FLOAT, dims: [] },
        constant: { dims: [], values: [floatAttr(node, name, 0)] },
      },
    ];
  if (name === 'value_int')
    return [
      {
        shape: { elemType: DataType.INT64, dims: [] },
        constant: { dims: [], values: [intAttr(node, name, 0)] },
      },
    ];
  if (attr.type === 'floats' || attr.type === 'ints') {
    const values = attr.value;
    return [
      {
        shape: { elemType: attr.type === 'ints' ? DataType.INT64 : DataType.FLOAT, dims: [values.length] },
        constant: { dims: [values.length], values },
      },
    ];
  }
  throw new ShapeUnknown(`Constant ${name}`);
}

function cast(input: RuleInput): RuleOutput[] {
  const to = intAttr(input.node, 'to', DataType.FLOAT);
  const c = input.constants[0];
  const integer = to !== DataType.FLOAT && to !== DataType.DOUBLE && to !== DataType.FLOAT16;
  const constant = c ? { dims: c.dims, values: integer ? c.values.map(Math.trunc) : c.values } : undefined;
  return [{ shape: { elemType: to, dims: input.shapes[0]?.dims }, ...(constant ? { constant } : {}) }];
}

// Range, Expand and ConstantOfShape build the anchor grid in ultralytics' dynamic-shape exports.
function range(input: RuleInput): RuleOutput[] {
  const operand = (i: number) => need(input.constants[i]?.values[0], `range operand ${i}`);
  const [start, limit, delta] = [operand(0), operand(1), operand(2)];
  const n = Math.max(Math.ceil((limit - start) / delta), 0);
  const constant =
    n <= MAX_CONST_ELEMENTS
      ? { dims: [n], values: Array.from({ length: n }, (_, i) => start + i * delta) }
      : undefined;
  return [{ shape: { elemType: elemOf(input, 0), dims: [n] }, ...(constant ? { constant } : {}) }];
}

function expand(input: RuleInput): RuleOutput[] {
  const target = need(input.constants[1], 'expand shape').values;
  return [{ shape: { elemType: elemOf(input, 0), dims: broadcast(dimsOf(input, 0), target) } }];
}

function constantOfShape(input: RuleInput): RuleOutput[] {
  const dims = need(input.constants[0], 'ConstantOfShape shape').values;
  const value = input.node.attributes.value;
  const elemType = value?.type === 'tensor' ? value.value.dataType : DataType.FLOAT;
  const fill = value?.type === 'tensor' ? tensorConstant(value.value)?.values[0] : 0;
  const n = elementCount(dims);
  const constant =
    fill !== undefined && n <= MAX_CONST_ELEMENTS
      ? { dims, values: new Array<number>(n).fill(fill) }
      : undefined;
  return [{ shape: { elemType, dims }, ...(constant ? { constant } : {}) }];
}

/** numpy matmul: batch dims broadcast, [..., n, k] × [..., k, m] → [..., n, m] (attention in YOLO11's C2PSA). */
function matmul(input: RuleInput): RuleOutput[] {
  const a = dimsOf(input, 0);
  const b = dimsOf(input, 1);
  if (a.length < 2 || b.length < 2) throw new ShapeUnknown('MatMul with a vector operand');
  const batch = broadcast(a.slice(0, -2), b.slice(0, -2));
  return [{ shape: { elemType: elemOf(input, 0), dims: [...batch, a[a.length - 2]!, b[b.length - 1]!] } }];
}

/** The op set of YOLOv8 exports. Anything else is kept in the graph and reported as unknown. */
export const shapeRules: Readonly<Record<string, ShapeRule>> = {
  Conv: conv,
  BatchNormalization: (input) => [same(input)[0]!],
  Sigmoid: same,
  Softmax: same,
  Identity: same,
  Relu: same,
  Mul: binary((x, y) => x * y),
  Add: binary((x, y) => x + y),
  Sub: binary((x, y) => x - y),
  Div: binary((x, y, integer) => (integer ? Math.trunc(x / y) : x / y)),
  Concat: concat,
  Split: split,
  Slice: slice,
  MaxPool: pool,
  Resize: resize,
  Reshape: reshape,
  Transpose: transpose,
  Gather: gather,
  Shape: shapeOp,
  Unsqueeze: unsqueeze,
  Constant: constantOp,
  Cast: cast,
  Range: range,
  Expand: expand,
  ConstantOfShape: constantOfShape,
  MatMul: matmul,
};
