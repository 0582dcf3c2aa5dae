// BatchNormalization statistics re-estimated after pruning (the "adaptive BN" that EagleEye and the detection
// follow-ups of AMC found to matter: a pruned model's running means and variances describe channels that
// were summed over inputs no longer there, and evaluating it without refreshing them under-rates it).
//
// Two pure halves; runtime/search/bn-recalibration.ts runs the first in onnxruntime:
// 1. `batchNormProbe`: the model with every inference-form BatchNormalization replaced by its training-mode
//    computation (normalise by the batch's own per-channel mean and variance, as PyTorch's train mode does),
//    with those means and variances as its only outputs, the nodes nothing of them needs (the Detect head's
//    decode, whose reshapes fix the batch) dropped, and the batch dimension left free. One forward pass of a
//    batch of images then gives every layer's statistics under consistent upstream normalisation (measured on
//    the BCCD model: batches of 8 keep the unpruned model's mAP, single images cost it 0.04); exposing the raw
//    BN inputs instead would need one pass per layer depth for the same consistency.
// 2. `withBatchNormStatistics`: the original model with the accumulated statistics written into each BN's
//    mean and var initializers.

import { DataType } from '../onnx/data-type';
import { defaultOpset, type Model, type Node, type Tensor } from '../onnx/model';
import { floatAttr } from '../onnx/attributes';

export interface BatchNormProbe {
  model: Model;
  /** Per BN node: the names of its batch mean and variance outputs ([1, C, 1, 1]). */
  outputs: { node: string; mean: string; variance: string }[];
}

/** Inference-form BNs whose statistics are initializers (train-form models; folded models have none). */
function recalibratable(model: Model): Node[] {
  const init = model.graph.initializers;
  return model.graph.nodes.filter(
    (n) =>
      n.opType === 'BatchNormalization' &&
      (n.domain === '' || n.domain === 'ai.onnx') &&
      n.outputs.length === 1 &&
      [1, 2, 3, 4].every((i) => init.has(n.inputs[i] ?? '')),
  );
}

export function batchNormProbe(model: Model): BatchNormProbe | undefined {
  const bns = recalibratable(model);
  if (bns.length === 0) return undefined;
  const opset = defaultOpset(model) ?? 17;
  const init = model.graph.initializers;
  const extra: Tensor[] = [];
  const outputs: BatchNormProbe['outputs'] = [];
  const axesName = '/amc_bn/axes';
  if (opset >= 18)
    extra.push({
      name: axesName,
      dataType: DataType.INT64,
      dims: [3],
      data: BigInt64Array.from([0n, 2n, 3n]),
    });
  const reduce = (name: string, x: string, y: string): Node =>
    opset >= 18
      ? {
          name,
          opType: 'ReduceMean',
          domain: '',
          inputs: [x, axesName],
          outputs: [y],
          attributes: { keepdims: { type: 'int', value: 1 } },
        }
      : {
          name,
          opType: 'ReduceMean',
          domain: '',
          inputs: [x],
          outputs: [y],
          attributes: { axes: { type: 'ints', value: [0, 2, 3] }, keepdims: { type: 'int', value: 1 } },
        };
  const op = (name: string, opType: string, inputs: string[], output: string): Node => ({
    name,
    opType,
    domain: '',
    inputs,
    outputs: [output],
    attributes: {},
  });
  const replaced = new Map<Node, Node[]>();
  bns.forEach((bn, i) => {
    const p = `/amc_bn/${i}`;
    const [x, scale, bias] = bn.inputs as [string, string, string];
    const c = init.get(scale)!.dims[0]!;
    const as4d = (t: Tensor, name: string): Tensor => ({
      name,
      dataType: DataType.FLOAT,
      dims: [1, c, 1, 1],
      data: Float32Array.from(t.data as Float32Array),
    });
    extra.push(as4d(init.get(scale)!, `${p}/scale`), as4d(init.get(bias)!, `${p}/bias`));
    extra.push({
      name: `${p}/eps`,
      dataType: DataType.FLOAT,
      dims: [],
      data: Float32Array.of(floatAttr(bn, 'epsilon', 1e-5)),
    });
    replaced.set(bn, [
      reduce(`${p}/mean`, x, `${p}/mean_out`),
      op(`${p}/sub`, 'Sub', [x, `${p}/mean_out`], `${p}/centered`),
      op(`${p}/sq`, 'Mul', [`${p}/centered`, `${p}/centered`], `${p}/squared`),
      reduce(`${p}/var`, `${p}/squared`, `${p}/var_out`),
      op(`${p}/vareps`, 'Add', [`${p}/var_out`, `${p}/eps`], `${p}/var_eps`),
      op(`${p}/std`, 'Sqrt', [`${p}/var_eps`], `${p}/std_out`),
      op(`${p}/norm`, 'Div', [`${p}/centered`, `${p}/std_out`], `${p}/normed`),
      op(`${p}/scaled`, 'Mul', [`${p}/normed`, `${p}/scale`], `${p}/scaled_out`),
      op(`${p}/shift`, 'Add', [`${p}/scaled_out`, `${p}/bias`], bn.outputs[0]!),
    ]);
    outputs.push({ node: bn.name, mean: `${p}/mean_out`, variance: `${p}/var_out` });
  });
  const tensorType = { kind: 'tensor' as const, elemType: DataType.FLOAT };
  const wanted = outputs.flatMap((o) => [o.mean, o.variance]);
  const nodes = neededNodes(
    model.graph.nodes.flatMap((n) => replaced.get(n) ?? [n]),
    wanted,
  );
  const read = new Set(nodes.flatMap((n) => n.inputs));
  const initializers = new Map([...init].filter(([name]) => read.has(name)));
  for (const t of extra) initializers.set(t.name, t);
  const input = model.graph.inputs.find((v) => !init.has(v.name))!;
  const free =
    input.type?.kind === 'tensor' && input.type.shape
      ? { ...input, type: { ...input.type, shape: ['batch', ...input.type.shape.slice(1)] } }
      : input;
  return {
    model: {
      ...model,
      graph: {
        ...model.graph,
        nodes,
        initializers,
        inputs: [free],
        // Declared shapes would pin the batch: onnxruntime infers them.
        valueInfo: [],
        outputs: wanted.map((name) => ({ name, type: tensorType })),
      },
    },
    outputs,
  };
}

/** The nodes `outputs` depend on, in their original (topological) order. */
function neededNodes(nodes: readonly Node[], outputs: readonly string[]): Node[] {
  const producer = new Map<string, Node>();
  for (const n of nodes) for (const o of n.outputs) producer.set(o, n);
  const keep = new Set<Node>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const n = producer.get(stack.pop()!);
    if (!n || keep.has(n)) continue;
    keep.add(n);
    stack.push(...n.inputs);
  }
  return nodes.filter((n) => keep.has(n));
}

/** Per-channel running statistics of one BN's input. */
export interface ChannelStatistics {
  mean: Float32Array;
  variance: Float32Array;
}

/**
 * The model with each named BN's mean and var initializers replaced. A statistic initializer another node
 * also reads gets a fresh name for this BN, so no other reader changes.
 */
export function withBatchNormStatistics(model: Model, stats: ReadonlyMap<string, ChannelStatistics>): Model {
  const readers = new Map<string, number>();
  for (const n of model.graph.nodes) for (const i of n.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
  const initializers = new Map(model.graph.initializers);
  const nodes = model.graph.nodes.map((n) => {
    const s = stats.get(n.name);
    if (!s || n.opType !== 'BatchNormalization') return n;
    const inputs = [...n.inputs];
    ([3, 4] as const).forEach((k) => {
      const old = model.graph.initializers.get(n.inputs[k]!)!;
      const name = (readers.get(old.name) ?? 0) > 1 ? `${old.name}/recalibrated/${n.name}` : old.name;
      const data = k === 3 ? s.mean : s.variance;
      initializers.set(name, { name, dataType: old.dataType, dims: old.dims, data });
      inputs[k] = name;
    });
    return { ...n, inputs };
  });
  return { ...model, graph: { ...model.graph, nodes, initializers } };
}
