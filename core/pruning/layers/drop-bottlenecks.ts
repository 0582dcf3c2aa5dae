// Layer granularity: remove whole blocks from a module's `m` — Bottlenecks of C2f (v8), C3k2's Bottleneck or
// C3k (11), C3's bottlenecks (v5u), C3k's inner bottlenecks, C2PSA's PSA blocks. The block's nodes go and
// whatever read its output reads its input instead. In a C2f-style module, whose concat holds every block's
// output next to its input, the block's slot is dropped from the concat together with the matching input
// columns of the conv after it (cv2); in a chain (C3, C3k, C2PSA) only the last block feeds the concat and
// the slot stays, now fed by the block's input. Unlike channel pruning this changes what the network
// computes: it is a structural choice to fine-tune after.

import { intAttr } from '../../onnx/attributes';
import type { Graph, Model, Node } from '../../onnx/model';
import { inferShapes } from '../../graph/shape-inference';
import { pruneUnused, withGraph } from '../../graph/transform';
import { defaultOpset } from '../../onnx/model';
import { constantResolver } from '../dependency/constant-resolver';
import { PruneError } from '../errors';
import { selectAlongAxis } from '../surgery/tensor-slice';

/**
 * A block's parameter prefix (`model.2.m.0`, `model.6.m.0.m.1`) → the node scope the exporter gave it: a
 * ModuleList element is `/m.0/`, an nn.Sequential element `/m/m.0/` (C3, C3k, C2PSA).
 */
function scopeOf(graph: Graph, name: string): string {
  const m = /^model\.(\d+)((?:\.m\.\d+){1,3})$/.exec(name);
  if (!m)
    throw new PruneError(
      'PRUNE_UNIT_UNKNOWN',
      `block '${name}' is not of the form model.N.m.K (or model.N.m.K.m.J)`,
    );
  let scopes = [`/model.${m[1]}/`];
  for (const k of m[2]!
    .slice(1)
    .split('.m.')
    .map((s) => s.replace(/^m\./, ''))) {
    scopes = scopes.flatMap((s) => [`${s}m.${k}/`, `${s}m/m.${k}/`]);
  }
  const found = scopes.filter((s) => graph.nodes.some((n) => n.name.startsWith(s)));
  if (found.length !== 1)
    throw new PruneError(
      'PRUNE_UNIT_UNKNOWN',
      `the model has no block ${name} (no nodes under ${scopes.join(' or ')})`,
    );
  return found[0]!;
}

function dropOne(graph: Graph, name: string, opset: number): Graph {
  const scope = scopeOf(graph, name);
  const inside = new Set(graph.nodes.filter((n) => n.name.startsWith(scope)));
  const produced = new Set([...inside].flatMap((n) => n.outputs));
  const inputs = new Set(
    [...inside].flatMap((n) => n.inputs).filter((t) => t && !produced.has(t) && !graph.initializers.has(t)),
  );
  const outside = graph.nodes.filter((n) => !inside.has(n));
  const outputs = [...produced].filter(
    (t) => outside.some((n) => n.inputs.includes(t)) || graph.outputs.some((o) => o.name === t),
  );
  const constant = constantResolver(graph);
  const dataInputs = [...inputs].filter((t) => !constant(t));
  if (dataInputs.length !== 1 || outputs.length !== 1) {
    throw new PruneError(
      'PRUNE_UNIT_UNKNOWN',
      `${name} is not a single-input, single-output bottleneck (${dataInputs.length} inputs, ${outputs.length} outputs)`,
    );
  }
  const [input, output] = [dataInputs[0]!, outputs[0]!];
  const shapes = inferShapes(graph, { opset }).shapes;
  const channels = (t: string) => {
    const d = shapes.get(t)?.dims?.[1];
    if (typeof d !== 'number')
      throw new PruneError('PRUNE_SURGERY_FAILED', `${name}: channel count of ${t} unknown`);
    return d;
  };
  if (channels(input) !== channels(output))
    throw new PruneError(
      'PRUNE_UNIT_UNKNOWN',
      `${name}: its input and output widths differ; it cannot be skipped`,
    );
  const concat = outside.find((n) => n.opType === 'Concat' && n.inputs.includes(output));
  if (!concat || !concat.inputs.includes(input)) {
    // A chain: readers of the block's output read its input.
    const nodes = outside.map((n) =>
      n.inputs.includes(output) ? { ...n, inputs: n.inputs.map((t) => (t === output ? input : t)) } : n,
    );
    const outs = graph.outputs.map((o) => (o.name === output ? { ...o, name: input } : o));
    return pruneUnused({
      ...graph,
      nodes,
      outputs: outs,
      valueInfo: graph.valueInfo.filter((v) => !produced.has(v.name)),
    });
  }
  const consumers = outside.filter((n) => n.inputs.includes(concat.outputs[0]!));
  const conv = consumers[0];
  if (consumers.length !== 1 || conv?.opType !== 'Conv' || intAttr(conv, 'group', 1) !== 1) {
    throw new PruneError('PRUNE_UNIT_UNKNOWN', `${name}: the C2f concat must feed exactly one dense conv`);
  }
  const slot = concat.inputs.indexOf(output);
  const offset = concat.inputs.slice(0, slot).reduce((a, t) => a + channels(t), 0);
  const width = channels(output);
  const weight = constant(conv.inputs[1]!);
  if (!weight) throw new PruneError('PRUNE_SURGERY_FAILED', `${name}: ${conv.name} weights are not constant`);
  const keep = Array.from({ length: weight.dims[1]! }, (_, i) => i).filter(
    (i) => i < offset || i >= offset + width,
  );
  const newWeight = {
    ...selectAlongAxis(weight, 1, keep),
    name: `${conv.inputs[1]}_${name.replace(/\./g, '_')}_dropped`,
  };

  const nodes: Node[] = [];
  for (const n of outside) {
    if (n === concat) nodes.push({ ...n, inputs: n.inputs.filter((_, i) => i !== slot) });
    else if (n === conv) nodes.push({ ...n, inputs: [n.inputs[0]!, newWeight.name, ...n.inputs.slice(2)] });
    else
      nodes.push(
        n.inputs.includes(output) ? { ...n, inputs: n.inputs.map((t) => (t === output ? input : t)) } : n,
      );
  }
  const initializers = new Map(graph.initializers);
  initializers.set(newWeight.name, newWeight);
  return pruneUnused({
    ...graph,
    nodes,
    initializers,
    valueInfo: graph.valueInfo.filter((v) => !produced.has(v.name)),
  });
}

export function dropBottlenecks(model: Model, names: readonly string[]): Model {
  const opset = defaultOpset(model) ?? 17;
  let graph = model.graph;
  for (const name of new Set(names)) graph = dropOne(graph, name, opset);
  return withGraph(model, graph);
}

/** A block `dropBottlenecks` can remove: its parameter prefix and its module index. */
export interface DroppableBlock {
  readonly name: string;
  readonly module: number;
}

/**
 * Every block of a module's `m` (ModuleList or nn.Sequential, nested once for C3k) that dropping leaves a
 * valid graph: one input and one output of the same width. Found from node names, checked by dropping.
 */
export function droppableBlocks(model: Model): DroppableBlock[] {
  const opset = defaultOpset(model) ?? 17;
  const names = new Set<string>();
  for (const node of model.graph.nodes) {
    const m = /^\/model\.(\d+)\/((?:m\/)?m\.\d+\/(?:m\/m\.\d+\/)?)/.exec(node.name);
    if (!m) continue;
    const path = m[2]!.replace(/m\//g, '').replace(/\/$/, '').split('/');
    // `model.6.m.0` and, inside a C3k, `model.6.m.0.m.1`.
    for (let depth = 1; depth <= path.length; depth++)
      names.add(`model.${m[1]}.${path.slice(0, depth).join('.')}`);
  }
  const out: DroppableBlock[] = [];
  for (const name of [...names].sort(compareBlocks)) {
    try {
      dropOne(model.graph, name, opset);
      out.push({ name, module: Number(/^model\.(\d+)/.exec(name)![1]) });
    } catch (err) {
      if (!(err instanceof PruneError)) throw err;
    }
  }
  return out;
}

/** Module index, then block path, numerically. */
function compareBlocks(a: string, b: string): number {
  const na = a.match(/\d+/g)!.map(Number);
  const nb = b.match(/\d+/g)!.map(Number);
  for (let i = 0; i < Math.max(na.length, nb.length); i++) {
    const d = (na[i] ?? -1) - (nb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}
