// The unit the accuracy control keeps in float: a convolution with its activation (SiLU = Sigmoid·x, as
// YOLO writes it), found from the graph's structure, so any export is handled without its node names.

import type { Graph } from '../onnx/model';
import { indexGraph } from '../graph/graph-index';

export interface QuantLayer {
  /** The convolution's node name, which names the layer. */
  readonly name: string;
  readonly nodes: readonly string[];
}

export function convLayers(graph: Graph, among: ReadonlySet<string>): QuantLayer[] {
  const index = indexGraph(graph);
  const layers: QuantLayer[] = [];
  for (const conv of graph.nodes) {
    if (conv.opType !== 'Conv' || !among.has(conv.name)) continue;
    const out = conv.outputs[0]!;
    const nodes = [conv.name];
    for (const c of index.consumersOf(out)) {
      if (c.opType !== 'Sigmoid' || !among.has(c.name)) continue;
      nodes.push(c.name);
      const mul = index
        .consumersOf(c.outputs[0]!)
        .find((m) => m.opType === 'Mul' && m.inputs.includes(out) && among.has(m.name));
      if (mul) nodes.push(mul.name);
    }
    layers.push({ name: conv.name, nodes });
  }
  return layers;
}
