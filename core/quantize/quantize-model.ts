// Static post-training quantization in QDQ form: every activation a quantized node reads or writes passes
// through QuantizeLinear → DequantizeLinear (per tensor, the calibrated range), weights are stored as int8
// per output channel with a DequantizeLinear, biases as int32 at input scale × weight scale. onnxruntime
// fuses DQ → op → Q into its integer kernels; a node left in float simply reads the dequantized values.

import { DataType } from '../onnx/data-type';
import type { Graph, Model, Node, Tensor } from '../onnx/model';
import { QuantizeError } from './errors';
import type { Range } from './observers';
import { quantParams, quantizeValue, roundHalfEven, type QuantParams, type QuantType } from './quant-params';
import { activationInputsOf, QUANTIZABLE_OPS, quantizedOutputsOf } from './quantizable-ops';
import { sharedScaleGroups } from './shared-scales';

export interface QuantizeOptions {
  /** Per-tensor activation type (weights are always int8, symmetric, per output channel). */
  readonly activationType: QuantType;
  /** Node names left in float (the decode path, layers the accuracy control keeps). */
  readonly keepFloat: ReadonlySet<string>;
}

export interface QuantizedModel {
  readonly model: Model;
  /** Nodes that run quantized, in graph order. */
  readonly quantizedNodes: readonly string[];
  /** The quantization parameters of each activation tensor, after scale sharing. */
  readonly activations: ReadonlyMap<string, QuantParams>;
}

const QDQ_MIN_OPSET = 13; // per-axis QuantizeLinear/DequantizeLinear

/** Nodes the pass quantizes: a quantizable op, not kept in float, every activation calibrated. */
export function quantizableNodes(
  graph: Graph,
  ranges: ReadonlyMap<string, Range>,
  keepFloat: ReadonlySet<string>,
): Node[] {
  return graph.nodes.filter((n) => {
    const op = n.domain === '' ? QUANTIZABLE_OPS[n.opType] : undefined;
    if (!op || keepFloat.has(n.name)) return false;
    if (op.weight && !graph.initializers.has(n.inputs[op.weight.input] ?? '')) return false;
    const tensors = [...activationInputsOf(n, op), ...quantizedOutputsOf(n, op)];
    return tensors.every((t) => ranges.has(t) || isFloatInitializer(graph, t));
  });
}

function isFloatInitializer(graph: Graph, name: string): boolean {
  return graph.initializers.get(name)?.data instanceof Float32Array;
}

function rangeOfData(data: Float32Array): Range {
  let min = Infinity;
  let max = -Infinity;
  for (const v of data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return Number.isFinite(min) ? { min, max } : { min: 0, max: 0 };
}

export function quantizeModel(
  model: Model,
  ranges: ReadonlyMap<string, Range>,
  options: QuantizeOptions,
): QuantizedModel {
  const opset = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
  if (opset < QDQ_MIN_OPSET)
    throw new QuantizeError(
      'QUANTIZE_OPSET_TOO_OLD',
      `INT8 needs opset ${QDQ_MIN_OPSET} or newer (per-channel QuantizeLinear); the model imports opset ${opset}`,
    );
  const graph = model.graph;
  if (graph.nodes.some((n) => n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear'))
    throw new QuantizeError(
      'QUANTIZE_ALREADY_QUANTIZED',
      'the model already holds QuantizeLinear/DequantizeLinear nodes',
    );
  const nodes = quantizableNodes(graph, ranges, options.keepFloat);
  const unnamed = nodes.find((n) => !n.name);
  if (unnamed) throw new QuantizeError('QUANTIZE_UNNAMED_NODE', `a ${unnamed.opType} node has no name`);

  // Which tensors get a Q/DQ pair, and the range each is quantized with.
  const tensorRanges = new Map<string, Range>();
  for (const n of nodes) {
    const op = QUANTIZABLE_OPS[n.opType]!;
    for (const t of [...activationInputsOf(n, op), ...quantizedOutputsOf(n, op)]) {
      const init = graph.initializers.get(t);
      tensorRanges.set(t, init ? rangeOfData(init.data as Float32Array) : ranges.get(t)!);
    }
  }
  for (const group of sharedScaleGroups(nodes, tensorRanges)) {
    const union = group.reduce(
      (acc, t) => {
        const r = tensorRanges.get(t)!;
        return { min: Math.min(acc.min, r.min), max: Math.max(acc.max, r.max) };
      },
      { min: Infinity, max: -Infinity },
    );
    for (const t of group) tensorRanges.set(t, union);
  }
  const activations = new Map<string, QuantParams>();
  for (const [t, r] of tensorRanges)
    activations.set(t, quantParams(r.min, r.max, options.activationType, false));

  const qType = options.activationType === 'uint8' ? DataType.UINT8 : DataType.INT8;
  const initializers = new Map(graph.initializers);
  const dequantized = (t: string) => `${t}_DequantizeLinear_Output`;
  const qdqFor = new Map<string, Node[]>();
  for (const [t, p] of activations) {
    const scale = `${t}_scale`;
    const zero = `${t}_zero_point`;
    initializers.set(scale, scalarTensor(scale, DataType.FLOAT, new Float32Array([p.scale])));
    initializers.set(zero, scalarTensor(zero, qType, zeroPointData(options.activationType, [p.zeroPoint])));
    qdqFor.set(t, [
      qdqNode('QuantizeLinear', `${t}_QuantizeLinear`, [t, scale, zero], `${t}_QuantizeLinear_Output`),
      qdqNode(
        'DequantizeLinear',
        `${t}_DequantizeLinear`,
        [`${t}_QuantizeLinear_Output`, scale, zero],
        dequantized(t),
      ),
    ]);
  }

  // Weights and biases of quantized convolutions.
  const rewired = new Map<string, Map<number, string>>();
  const weightNodes: Node[] = [];
  for (const n of nodes) {
    const spec = QUANTIZABLE_OPS[n.opType]!.weight;
    if (!spec) continue;
    const wName = n.inputs[spec.input]!;
    const w = graph.initializers.get(wName)!;
    const perChannel = quantizeWeight(w, spec.axis);
    const prefix = `${n.name}_${wName}`;
    const wq = `${prefix}_quantized`;
    initializers.set(wq, { name: wq, dataType: DataType.INT8, dims: w.dims, data: perChannel.values });
    initializers.set(
      `${wq}_scale`,
      vectorTensor(`${wq}_scale`, DataType.FLOAT, Float32Array.from(perChannel.scales)),
    );
    initializers.set(
      `${wq}_zero_point`,
      vectorTensor(`${wq}_zero_point`, DataType.INT8, new Int8Array(perChannel.scales.length)),
    );
    weightNodes.push(
      qdqNode(
        'DequantizeLinear',
        `${prefix}_DequantizeLinear`,
        [wq, `${wq}_scale`, `${wq}_zero_point`],
        `${wq}_dequantized`,
        spec.axis,
      ),
    );
    const inputs = new Map<number, string>([[spec.input, `${wq}_dequantized`]]);
    const bName = spec.bias === undefined ? undefined : n.inputs[spec.bias];
    const b = bName ? graph.initializers.get(bName) : undefined;
    if (b && spec.bias !== undefined) {
      const inScale = activations.get(n.inputs[0]!)!.scale;
      const bScales = perChannel.scales.map((s) => Math.fround(inScale * s));
      const bq = `${n.name}_${bName}_quantized`;
      const data = new Int32Array(b.data.length);
      (b.data as Float32Array).forEach((v, i) => (data[i] = roundHalfEven(v / bScales[i]!)));
      initializers.set(bq, { name: bq, dataType: DataType.INT32, dims: b.dims, data });
      initializers.set(
        `${bq}_scale`,
        vectorTensor(`${bq}_scale`, DataType.FLOAT, Float32Array.from(bScales)),
      );
      initializers.set(
        `${bq}_zero_point`,
        vectorTensor(`${bq}_zero_point`, DataType.INT32, new Int32Array(bScales.length)),
      );
      weightNodes.push(
        qdqNode(
          'DequantizeLinear',
          `${bq}_DequantizeLinear`,
          [bq, `${bq}_scale`, `${bq}_zero_point`],
          `${bq}_dequantized`,
          0,
        ),
      );
      inputs.set(spec.bias, `${bq}_dequantized`);
    }
    rewired.set(n.name, inputs);
  }

  // Every reader of a quantized tensor reads its dequantized copy; graph outputs keep the float tensor.
  const rename = (t: string) => (activations.has(t) ? dequantized(t) : t);
  const out: Node[] = [...weightNodes];
  for (const v of graph.inputs) if (qdqFor.has(v.name)) out.push(...qdqFor.get(v.name)!);
  for (const [t, pair] of qdqFor) if (graph.initializers.has(t)) out.push(...pair);
  for (const n of graph.nodes) {
    const own = rewired.get(n.name);
    out.push({
      ...n,
      inputs: n.inputs.map((t, i) => own?.get(i) ?? rename(t)),
    });
    for (const t of n.outputs) if (qdqFor.has(t)) out.push(...qdqFor.get(t)!);
  }
  // Float weights only quantized copies read any more are dropped.
  const read = new Set(out.flatMap((n) => n.inputs));
  for (const n of nodes) {
    const spec = QUANTIZABLE_OPS[n.opType]!.weight;
    if (!spec) continue;
    for (const i of [spec.input, spec.bias]) {
      const t = i === undefined ? undefined : n.inputs[i];
      if (t && !read.has(t) && !graph.outputs.some((o) => o.name === t)) initializers.delete(t);
    }
  }
  return {
    model: { ...model, graph: { ...graph, nodes: out, initializers } },
    quantizedNodes: nodes.map((n) => n.name),
    activations,
  };
}

/** int8 symmetric per slice along `axis`, with each slice's scale (onnxruntime's per-channel weights). */
export function quantizeWeight(w: Tensor, axis: number): { values: Int8Array; scales: number[] } {
  const data = w.data as Float32Array;
  const channels = w.dims[axis] ?? 1;
  const inner = w.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = w.dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const scales: number[] = [];
  const params: QuantParams[] = [];
  for (let c = 0; c < channels; c++) {
    let min = Infinity;
    let max = -Infinity;
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        const v = data[(o * channels + c) * inner + i]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
    const p = quantParams(min, max, 'int8', true);
    params.push(p);
    scales.push(p.scale);
  }
  const values = new Int8Array(data.length);
  for (let o = 0; o < outer; o++)
    for (let c = 0; c < channels; c++)
      for (let i = 0; i < inner; i++) {
        const k = (o * channels + c) * inner + i;
        values[k] = quantizeValue(data[k]!, params[c]!, 'int8', true);
      }
  return { values, scales };
}

function zeroPointData(type: QuantType, values: number[]): Uint8Array | Int8Array {
  return type === 'uint8' ? Uint8Array.from(values) : Int8Array.from(values);
}

function scalarTensor(name: string, dataType: number, data: Tensor['data']): Tensor {
  return { name, dataType, dims: [], data };
}

function vectorTensor(name: string, dataType: number, data: Tensor['data']): Tensor {
  return { name, dataType, dims: [data.length], data };
}

function qdqNode(op: string, name: string, inputs: string[], output: string, axis?: number): Node {
  return {
    name,
    opType: op,
    domain: '',
    inputs,
    outputs: [output],
    attributes: axis === undefined ? {} : { axis: { type: 'int', value: axis } },
  };
}
