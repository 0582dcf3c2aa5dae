import { floatAttr } from '../onnx/attributes';
import { DataType } from '../onnx/data-type';
import type { Graph, Model, Node, Tensor } from '../onnx/model';
import { type GraphIndex, indexGraph } from '../graph/graph-index';
import { pruneUnused, renameInputs } from '../graph/transform';

export interface FoldReport {
  /** BatchNormalization nodes folded into the Conv before them. */
  readonly folded: readonly string[];
  /** BatchNormalization nodes left in place, with the reason. */
  readonly kept: readonly { readonly name: string; readonly reason: string }[];
}

function floatTensor(graph: Graph, name: string | undefined): Float32Array | undefined {
  if (!name) return undefined;
  const t = graph.initializers.get(name);
  return t && t.data instanceof Float32Array ? t.data : undefined;
}

function biasNameFor(weightName: string, taken: (n: string) => boolean): string {
  const base = weightName.endsWith('.weight')
    ? `${weightName.slice(0, -'.weight'.length)}.bias`
    : `${weightName}_bias`;
  let name = base;
  for (let i = 1; taken(name); i++) name = `${base}_${i}`;
  return name;
}

/** A BatchNormalization the fold merges into the Conv before it, or the reason it stays. */
export type FoldDecision =
  { readonly fold: true; readonly conv: Node } | { readonly fold: false; readonly reason: string };

/**
 * Whether `foldBatchNorm` folds this BatchNormalization, and into which Conv: the one rule the fold and
 * deploy-form statistics (`computeStats(model, { form: 'deploy' })`) share, so a count "as if folded" is the
 * count of the folded model.
 */
export function foldDecision(graph: Graph, index: GraphIndex, bn: Node): FoldDecision {
  const conv = index.producerOf(bn.inputs[0]!);
  if (!conv || conv.opType !== 'Conv') return { fold: false, reason: 'input is not produced by a Conv' };
  if (index.consumersOf(conv.outputs[0]!).length !== 1 || index.isGraphOutput(conv.outputs[0]!))
    return { fold: false, reason: 'the Conv output has other readers' };
  if (bn.outputs.filter((o) => o).length > 1)
    return { fold: false, reason: 'training-mode BatchNormalization (running statistics outputs)' };
  const params = bn.inputs.slice(1, 5).map((n) => floatTensor(graph, n));
  const weight = graph.initializers.get(conv.inputs[1] ?? '');
  if (params.some((p) => !p) || !weight || !(weight.data instanceof Float32Array))
    return { fold: false, reason: 'parameters are not float initializers' };
  return { fold: true, conv };
}

/**
 * Folds every Conv → BatchNormalization pair into one Conv with bias (the deploy form):
 * W' = W·γ/√(σ²+ε) per output channel, b' = (b − μ)·γ/√(σ²+ε) + β, computed in float64. The BN output's
 * readers then read the Conv output, so names come out as in ultralytics' fused export
 * (`/model.0/conv/Conv_output_0` feeding `/model.0/act/Sigmoid`). A BN whose input has other readers, or
 * whose parameters are not initializers, is kept and reported.
 */
export function foldBatchNorm(model: Model): { model: Model; report: FoldReport } {
  const graph = model.graph;
  const index = indexGraph(graph);
  const folded: string[] = [];
  const kept: { name: string; reason: string }[] = [];
  const replacedConvs = new Map<Node, Node>();
  const dropped = new Set<Node>();
  const newTensors: Tensor[] = [];
  const renames = new Map<string, string>();
  const outputRenames = new Map<string, string>();

  for (const bn of graph.nodes) {
    if (bn.opType !== 'BatchNormalization' || bn.domain !== '') continue;
    const decision = foldDecision(graph, index, bn);
    if (!decision.fold) {
      kept.push({ name: bn.name, reason: decision.reason });
      continue;
    }
    const conv = decision.conv;
    const param = (i: number) => floatTensor(graph, bn.inputs[i])!;
    const [gamma, beta, mean, variance] = [param(1), param(2), param(3), param(4)];
    const weight = graph.initializers.get(conv.inputs[1]!)! as Tensor & { data: Float32Array };
    const oldBias = floatTensor(graph, conv.inputs[2]);
    const eps = floatAttr(bn, 'epsilon', 1e-5);
    const channels = weight.dims[0]!;
    const perChannel = weight.data.length / channels;
    const w = new Float32Array(weight.data.length);
    const b = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      const scale = gamma[c]! / Math.sqrt(variance[c]! + eps);
      for (let k = c * perChannel; k < (c + 1) * perChannel; k++) w[k] = weight.data[k]! * scale;
      b[c] = ((oldBias?.[c] ?? 0) - mean[c]!) * scale + beta[c]!;
    }
    const biasName =
      conv.inputs[2] ||
      biasNameFor(weight.name, (n) => graph.initializers.has(n) || newTensors.some((t) => t.name === n));
    // Shared weights (one initializer read by several convs) must not be overwritten in place.
    const weightName =
      index.consumersOf(weight.name).length > 1 ? `${weight.name}_folded_${folded.length}` : weight.name;
    newTensors.push({ name: weightName, dataType: weight.dataType, dims: weight.dims, data: w });
    newTensors.push({ name: biasName, dataType: DataType.FLOAT, dims: [channels], data: b });
    const bnOut = bn.outputs[0]!;
    let convOut = conv.outputs[0]!;
    if (index.isGraphOutput(bnOut)) {
      // Keep the graph's output name: the conv writes it directly.
      outputRenames.set(convOut, bnOut);
      convOut = bnOut;
    } else {
      renames.set(bnOut, convOut);
    }
    replacedConvs.set(conv, {
      ...conv,
      inputs: [conv.inputs[0]!, weightName, biasName],
      outputs: [convOut],
    });
    dropped.add(bn);
    folded.push(bn.name);
  }

  const initializers = new Map(graph.initializers);
  for (const t of newTensors) initializers.set(t.name, t);
  let out: Graph = {
    ...graph,
    initializers,
    nodes: graph.nodes.filter((n) => !dropped.has(n)).map((n) => replacedConvs.get(n) ?? n),
  };
  out = renameInputs(out, renames);
  out = pruneUnused({
    ...out,
    valueInfo: out.valueInfo.filter((v) => !renames.has(v.name) && !outputRenames.has(v.name)),
  });
  return { model: { ...model, graph: out }, report: { folded, kept } };
}
