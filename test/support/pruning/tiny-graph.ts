// A small builder for hand-made test graphs (conv-bn-silu chains, concat, unequal split, residual add,
// depthwise conv...): each op rule gets unit tests on graphs a reader can hold in their head.

import { DataType } from '../../../core/onnx/data-type';
import type { Attribute, Model, Node, Tensor, ValueInfo } from '../../../core/onnx/model';

export class TinyGraph {
  private readonly nodes: Node[] = [];
  private readonly initializers = new Map<string, Tensor>();
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly shapes = new Map<string, number[]>();
  private counter = 0;
  private state: number;

  constructor(seed = 1) {
    this.state = seed;
  }

  private random(): number {
    this.state = (this.state * 1664525 + 1013904223) >>> 0;
    return this.state / 4294967296 - 0.5;
  }

  private name(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  private float(name: string, dims: number[], fill?: () => number): string {
    const n = dims.reduce((a, b) => a * b, 1);
    this.initializers.set(name, {
      name,
      dataType: DataType.FLOAT,
      dims,
      data: Float32Array.from({ length: n }, fill ?? (() => this.random())),
    });
    return name;
  }

  int64(values: number[]): string {
    const name = this.name('const');
    this.initializers.set(name, {
      name,
      dataType: DataType.INT64,
      dims: [values.length],
      data: BigInt64Array.from(values.map(BigInt)),
    });
    return name;
  }

  shape(t: string): number[] {
    return this.shapes.get(t)!;
  }

  input(c: number, h = 8, w = 8, name = 'x'): string {
    this.inputs.push({ name, type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [1, c, h, w] } });
    this.shapes.set(name, [1, c, h, w]);
    return name;
  }

  node(
    opType: string,
    inputs: string[],
    outShapes: number[][],
    attributes: Record<string, Attribute> = {},
    name?: string,
  ): string[] {
    const n = name ?? this.name(opType);
    const outputs = outShapes.map((_, i) => `${n}_out${i}`);
    outShapes.forEach((s, i) => this.shapes.set(outputs[i]!, s));
    this.nodes.push({ name: n, opType, domain: '', inputs, outputs, attributes });
    return outputs;
  }

  conv(
    x: string,
    cout: number,
    options: { k?: number; group?: number; bias?: boolean; name?: string } = {},
  ): string {
    const [b, cin, h, w] = this.shape(x) as [number, number, number, number];
    const k = options.k ?? 1;
    const group = options.group ?? 1;
    const name = options.name ?? this.name('conv');
    const weight = this.float(`${name}.weight`, [cout, cin / group, k, k]);
    const inputs = [x, weight];
    if (options.bias !== false) inputs.push(this.float(`${name}.bias`, [cout]));
    const pad = (k - 1) / 2;
    const attributes: Record<string, Attribute> = {
      kernel_shape: { type: 'ints', value: [k, k] },
      pads: { type: 'ints', value: [pad, pad, pad, pad] },
      group: { type: 'int', value: group },
    };
    return this.node('Conv', inputs, [[b, cout, h, w]], attributes, name)[0]!;
  }

  bn(x: string): string {
    const c = this.shape(x)[1]!;
    const name = this.name('bn');
    const params = [
      this.float(`${name}.scale`, [c], () => 0.5 + this.random()),
      this.float(`${name}.bias`, [c]),
      this.float(`${name}.mean`, [c]),
      this.float(`${name}.var`, [c], () => 1 + this.random()),
    ];
    return this.node(
      'BatchNormalization',
      [x, ...params],
      [this.shape(x)],
      { epsilon: { type: 'float', value: 1e-3 } },
      name,
    )[0]!;
  }

  silu(x: string): string {
    const s = this.node('Sigmoid', [x], [this.shape(x)])[0]!;
    return this.node('Mul', [x, s], [this.shape(x)])[0]!;
  }

  /** conv → BN → SiLU, ultralytics' Conv block. */
  cbs(x: string, cout: number, k = 1): string {
    return this.silu(this.bn(this.conv(x, cout, { k, bias: false })));
  }

  unary(op: string, x: string, attributes: Record<string, Attribute> = {}): string {
    return this.node(op, [x], [this.shape(x)], attributes)[0]!;
  }

  binary(op: string, a: string, b: string): string {
    return this.node(op, [a, b], [this.shape(a)])[0]!;
  }

  /** A per-channel constant operand [1, C, 1, 1]. */
  channelConstant(c: number): string {
    return this.float(this.name('k'), [1, c, 1, 1], () => 0.5 + this.random());
  }

  concat(xs: string[], axis = 1): string {
    const s = this.shape(xs[0]!).slice();
    s[axis] = xs.reduce((a, x) => a + this.shape(x)[axis]!, 0);
    return this.node('Concat', xs, [s], { axis: { type: 'int', value: axis } })[0]!;
  }

  split(x: string, sizes: number[]): string[] {
    const s = this.shape(x);
    return this.node(
      'Split',
      [x, this.int64(sizes)],
      sizes.map((c) => [s[0]!, c, s[2]!, s[3]!]),
      { axis: { type: 'int', value: 1 } },
    );
  }

  slice(x: string, start: number, end: number): string {
    const s = this.shape(x);
    return this.node(
      'Slice',
      [x, this.int64([start]), this.int64([end]), this.int64([1])],
      [[s[0]!, end - start, s[2]!, s[3]!]],
    )[0]!;
  }

  resize(x: string, scale = 2): string {
    const [b, c, h, w] = this.shape(x) as [number, number, number, number];
    const scales = this.float(this.name('scales'), [4], () => 1);
    (this.initializers.get(scales)!.data as Float32Array).set([1, 1, scale, scale]);
    return this.node('Resize', [x, '', scales], [[b, c, h * scale, w * scale]], {
      mode: { type: 'string', value: 'nearest' },
    })[0]!;
  }

  maxPool(x: string): string {
    return this.unary('MaxPool', x, {
      kernel_shape: { type: 'ints', value: [3, 3] },
      pads: { type: 'ints', value: [1, 1, 1, 1] },
    });
  }

  output(x: string): void {
    this.outputs.push({ name: x, type: { kind: 'tensor', elemType: DataType.FLOAT, shape: this.shape(x) } });
  }

  build(): Model {
    return {
      irVersion: 8,
      opsetImports: [{ domain: '', version: 17 }],
      producerName: 'tiny-graph',
      producerVersion: '',
      domain: '',
      modelVersion: 0,
      docString: '',
      metadataProps: [],
      graph: {
        name: 'tiny',
        nodes: this.nodes.slice(),
        inputs: this.inputs.slice(),
        outputs: this.outputs.slice(),
        valueInfo: [],
        initializers: new Map(this.initializers),
      },
    };
  }
}
