import { OnnxFormatError } from '../onnx/errors';
import type { Graph, Node } from '../onnx/model';

/**
 * Nodes in an order where every producer precedes its consumers; among ready nodes, file order wins, so
 * an already-sorted graph comes back unchanged. A cycle or a read of a tensor nobody defines is an error.
 */
export function topologicalOrder(graph: Graph): Node[] {
  const defined = new Set<string>(['']);
  for (const v of graph.inputs) defined.add(v.name);
  for (const name of graph.initializers.keys()) defined.add(name);
  const producerIndex = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((o) => o && producerIndex.set(o, i)));

  const pending = graph.nodes.map((n) => new Set(n.inputs.filter((t) => !defined.has(t))));
  const waiting = new Map<string, number[]>();
  pending.forEach((deps, i) => {
    for (const t of deps) {
      if (!producerIndex.has(t)) {
        throw new OnnxFormatError(
          'ONNX_GRAPH_INVALID',
          `node '${graph.nodes[i]!.name}' reads '${t}', which nothing defines`,
        );
      }
      const list = waiting.get(t);
      if (list) list.push(i);
      else waiting.set(t, [i]);
    }
  });

  // A binary heap would be asymptotically better; graphs here have < 2,000 nodes and are usually sorted.
  const ready: number[] = [];
  pending.forEach((deps, i) => deps.size === 0 && ready.push(i));
  const order: Node[] = [];
  while (ready.length > 0) {
    let best = 0;
    for (let k = 1; k < ready.length; k++) if (ready[k]! < ready[best]!) best = k;
    const i = ready.splice(best, 1)[0]!;
    const node = graph.nodes[i]!;
    order.push(node);
    for (const out of node.outputs) {
      for (const j of waiting.get(out) ?? []) {
        const deps = pending[j]!;
        deps.delete(out);
        if (deps.size === 0) ready.push(j);
      }
      waiting.delete(out);
    }
  }
  if (order.length !== graph.nodes.length) {
    const stuck = graph.nodes.find((_, i) => pending[i]!.size > 0);
    throw new OnnxFormatError('ONNX_GRAPH_INVALID', `the graph has a cycle through node '${stuck?.name}'`);
  }
  return order;
}

/** True when the nodes are already in a valid topological order (what ONNX requires of a file). */
export function isTopologicallySorted(graph: Graph): boolean {
  const defined = new Set<string>(['', ...graph.inputs.map((v) => v.name), ...graph.initializers.keys()]);
  for (const node of graph.nodes) {
    if (node.inputs.some((t) => !defined.has(t))) return false;
    node.outputs.forEach((o) => defined.add(o));
  }
  return true;
}
