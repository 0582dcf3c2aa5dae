// The detector's decode path: everything between the head's last feature convolutions and the graph
// outputs (per-level concat, DFL softmax and its fixed 1×1 conv, box decode against anchors and strides,
// class sigmoid). Boxes there are pixel coordinates and classes probabilities in one tensor, so a shared
// 8-bit scale destroys one or the other; it stays in float unless a run measures otherwise.

import type { Graph, Node } from '../onnx/model';
import { indexGraph } from '../graph/graph-index';

/** A Conv that computes features (more than one output channel or a spatial kernel), not DFL's fixed sum. */
function isFeatureConv(node: Node, graph: Graph): boolean {
  if (node.opType !== 'Conv') return false;
  const w = graph.initializers.get(node.inputs[1] ?? '');
  if (!w) return true;
  const [out = 1, , kh = 1, kw = 1] = w.dims;
  return out > 1 || kh > 1 || kw > 1;
}

/** Names of the nodes on every path from the last feature convolutions to the graph outputs. */
export function decodePathNodes(graph: Graph): Set<string> {
  const index = indexGraph(graph);
  const found = new Set<string>();
  const stack = graph.outputs.map((o) => o.name);
  const seen = new Set<string>();
  while (stack.length > 0) {
    const tensor = stack.pop()!;
    if (seen.has(tensor)) continue;
    seen.add(tensor);
    const node = index.producerOf(tensor);
    if (!node || isFeatureConv(node, graph)) continue;
    found.add(node.name);
    for (const input of node.inputs) if (input) stack.push(input);
  }
  return found;
}
