import type { Graph, Node } from '../onnx/model';

/**
 * Lookups over one Graph: who produces a tensor, who consumes it, nodes by name. Built once per graph
 * (graphs are immutable, so the index never goes stale for the graph it was built from).
 */
export interface GraphIndex {
  readonly graph: Graph;
  /** The node whose output this tensor is; undefined for graph inputs, initializers and unknown names. */
  producerOf(tensor: string): Node | undefined;
  /** Nodes that read this tensor, in graph order (a node reading it twice appears once). */
  consumersOf(tensor: string): readonly Node[];
  nodeByName(name: string): Node | undefined;
  isInitializer(tensor: string): boolean;
  isGraphInput(tensor: string): boolean;
  isGraphOutput(tensor: string): boolean;
}

export function indexGraph(graph: Graph): GraphIndex {
  const producers = new Map<string, Node>();
  const consumers = new Map<string, Node[]>();
  const byName = new Map<string, Node>();
  for (const node of graph.nodes) {
    if (node.name) byName.set(node.name, node);
    for (const out of node.outputs) if (out) producers.set(out, node);
    for (const input of new Set(node.inputs)) {
      if (!input) continue;
      const list = consumers.get(input);
      if (list) list.push(node);
      else consumers.set(input, [node]);
    }
  }
  const inputs = new Set(graph.inputs.map((v) => v.name));
  const outputs = new Set(graph.outputs.map((v) => v.name));
  return {
    graph,
    producerOf: (t) => producers.get(t),
    consumersOf: (t) => consumers.get(t) ?? [],
    nodeByName: (n) => byName.get(n),
    isInitializer: (t) => graph.initializers.has(t),
    isGraphInput: (t) => inputs.has(t),
    isGraphOutput: (t) => outputs.has(t),
  };
}
