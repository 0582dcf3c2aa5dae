// A mutable accumulator used only while building a graph; what it hands out is plain immutable IR.
// Node names follow torch's ONNX exporter: `<scope>/<Op>`, then `<scope>/<Op>_1`, ... per scope and op;
// a node's outputs are `<node name>_output_<i>`.

import { DataType } from '../onnx/data-type';
import type { Attribute, Node, Tensor } from '../onnx/model';

export class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers = new Map<string, Tensor>();
  private readonly counters = new Map<string, number>();

  op(
    scope: string,
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, Attribute> = {},
    outputs = 1,
  ): string[] {
    const key = `${scope}/${opType}`;
    const count = this.counters.get(key) ?? 0;
    this.counters.set(key, count + 1);
    const name = count === 0 ? key : `${key}_${count}`;
    const outs = Array.from({ length: outputs }, (_, i) => `${name}_output_${i}`);
    this.nodes.push({ name, opType, domain: '', inputs, outputs: outs, attributes });
    return outs;
  }

  /** Like `op` for a single output, which it returns. */
  op1(
    scope: string,
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, Attribute> = {},
  ): string {
    return this.op(scope, opType, inputs, attributes)[0]!;
  }

  constant(scope: string, dataType: number, dims: readonly number[], values: ArrayLike<number>): string {
    const data =
      dataType === DataType.INT64
        ? BigInt64Array.from(Array.from(values, (v) => BigInt(v)))
        : Float32Array.from(values);
    return this.op1(scope, 'Constant', [], {
      value: { type: 'tensor', value: { name: '', dataType, dims, data } },
    });
  }

  initializer(name: string, dims: readonly number[], data: Float32Array): string {
    this.initializers.set(name, { name, dataType: DataType.FLOAT, dims, data });
    return name;
  }
}

export const ints = (value: readonly number[]): Attribute => ({ type: 'ints', value });
export const int = (value: number): Attribute => ({ type: 'int', value });
// Float attributes are float32 in the file; rounding here makes a built model equal its decoded copy.
export const float = (value: number): Attribute => ({ type: 'float', value: Math.fround(value) });
export const str = (value: string): Attribute => ({ type: 'string', value });
