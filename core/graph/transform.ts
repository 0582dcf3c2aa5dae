// Immutable edits: each returns a new Graph/Model sharing everything it did not change.

import type { Graph, Model, Node, Tensor } from '../onnx/model';

export function withGraph(model: Model, graph: Graph): Model {
  return { ...model, graph };
}

export function withNodes(graph: Graph, nodes: readonly Node[]): Graph {
  return { ...graph, nodes };
}

/** Replaces or adds initializers (by name), keeping the others in order. */
export function withInitializers(graph: Graph, tensors: readonly Tensor[]): Graph {
  const initializers = new Map(graph.initializers);
  for (const t of tensors) initializers.set(t.name, t);
  return { ...graph, initializers };
}

/** Maps every node; return the same node to keep it, a new one to replace it, or null to drop it. */
export function mapNodes(graph: Graph, fn: (node: Node) => Node | null): Graph {
  const nodes: Node[] = [];
  for (const n of graph.nodes) {
    const out = fn(n);
    if (out) nodes.push(out);
  }
  return { ...graph, nodes };
}

/** Renames tensor reads in nodes and graph outputs (e.g. after bypassing a node). */
export function renameInputs(graph: Graph, renames: ReadonlyMap<string, string>): Graph {
  if (renames.size === 0) return graph;
  const rename = (t: string) => renames.get(t) ?? t;
  return {
    ...graph,
    nodes: graph.nodes.map((n) =>
      n.inputs.some((t) => renames.has(t)) ? { ...n, inputs: n.inputs.map(rename) } : n,
    ),
    outputs: graph.outputs.map((v) => (renames.has(v.name) ? { ...v, name: rename(v.name) } : v)),
  };
}

/** Drops initializers and value_info entries no node, graph output or subgraph refers to any more. */
export function pruneUnused(graph: Graph): Graph {
  const used = new Set<string>(graph.outputs.map((v) => v.name));
  const visit = (g: Graph) => {
    for (const n of g.nodes) {
      n.inputs.forEach((t) => used.add(t));
      n.outputs.forEach((t) => used.add(t));
      for (const a of Object.values(n.attributes)) if (a.type === 'graph') visit(a.value);
    }
  };
  visit(graph);
  const initializers = new Map([...graph.initializers].filter(([name]) => used.has(name)));
  return {
    ...graph,
    initializers,
    valueInfo: graph.valueInfo.filter((v) => used.has(v.name)),
    inputs: graph.inputs.filter((v) => used.has(v.name) || !graph.initializers.has(v.name)),
  };
}

/** Float32 weights of an initializer, or undefined when absent or not floating point. */
export function floatInitializer(graph: Graph, name: string): (Tensor & { data: Float32Array }) | undefined {
  const t = graph.initializers.get(name);
  return t && t.data instanceof Float32Array ? (t as Tensor & { data: Float32Array }) : undefined;
}
