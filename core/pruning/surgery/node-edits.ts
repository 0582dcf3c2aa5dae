// Applies per-node surgery results to a graph, immutably. New constant values get fresh initializer names
// unless the original initializer is read by that one node only, so a constant shared between nodes (an
// exporter's deduplicated Split sizes or biases) is never changed under another reader.

import { pruneUnused } from '../../graph/transform';
import type { Graph, Node, Tensor } from '../../onnx/model';
import type { SurgeryResult } from '../dependency/op-rule';

export function applyNodeEdits(graph: Graph, edits: ReadonlyMap<Node, SurgeryResult>): Graph {
  if (edits.size === 0) return graph;
  const readers = new Map<string, number>();
  for (const n of graph.nodes)
    for (const t of new Set(n.inputs)) if (t) readers.set(t, (readers.get(t) ?? 0) + 1);
  const taken = new Set<string>([
    ...graph.initializers.keys(),
    ...graph.nodes.flatMap((n) => n.outputs),
    ...graph.inputs.map((v) => v.name),
  ]);
  const initializers = new Map(graph.initializers);
  const freshName = (base: string) => {
    let name = `${base}_pruned`;
    for (let i = 1; taken.has(name); i++) name = `${base}_pruned_${i}`;
    taken.add(name);
    return name;
  };
  const nodes = graph.nodes.map((node) => {
    const edit = edits.get(node);
    if (!edit || (!edit.inputs?.length && !edit.attributes)) return node;
    const inputs = node.inputs.slice();
    for (const { slot, value } of edit.inputs ?? []) {
      while (inputs.length <= slot) inputs.push('');
      const original = inputs[slot]!;
      const reuse = original !== '' && graph.initializers.has(original) && readers.get(original) === 1;
      const name = reuse
        ? original
        : freshName(`${node.name || node.outputs[0]}/${original || 'input' + slot}`);
      const tensor: Tensor = { ...value, name };
      initializers.set(name, tensor);
      inputs[slot] = name;
    }
    return { ...node, inputs, attributes: edit.attributes ?? node.attributes };
  });
  return pruneUnused({ ...graph, nodes, initializers });
}
