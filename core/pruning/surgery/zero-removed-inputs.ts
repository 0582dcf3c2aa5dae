// The correctness invariant's reference: the unpruned model with the input-side weights of every consumer
// of the removed channels set to zero. If the dependency analysis is right, it computes exactly what the
// pruned model computes.

import { withGraph } from '../../graph/transform';
import type { Model, Node } from '../../onnx/model';
import type { ChannelGraph } from '../dependency/channel-graph';
import type { SurgeryResult } from '../dependency/op-rule';
import { addEdit } from '../dependency/patterns/shape-operand';
import { applyNodeEdits } from './node-edits';

export function zeroRemovedInputs(cg: ChannelGraph, removed: ReadonlySet<number>): Model {
  const removedOf = (tensor: string): number[] | undefined => {
    const t = cg.tensors.get(tensor);
    if (!t) return undefined;
    const list: number[] = [];
    for (let c = 0; c < t.channels; c++) if (removed.has(cg.componentOfElement[t.base + c]!)) list.push(c);
    return list.length ? list : undefined;
  };
  const edits = new Map<Node, SurgeryResult>();
  for (const node of cg.order) {
    if (cg.patternOf(node)) continue;
    const rule = cg.registry.get(node.opType);
    if (!rule?.zeroRemovedInputs) continue;
    if (!node.inputs.some((t) => removedOf(t))) continue;
    addEdit(
      edits,
      node,
      rule.zeroRemovedInputs({
        node,
        removedIn: (i) => removedOf(node.inputs[i] ?? ''),
        constant: cg.constant,
      }),
    );
  }
  // Patterns silence channels where they are made; they see the consumers' zeroing above (one conv may get both).
  const input = (node: Node, slot: number) =>
    edits.get(node)?.inputs?.find((e) => e.slot === slot)?.value ?? cg.constant(node.inputs[slot] ?? '');
  const producerOf = (t: string) => cg.order.find((n) => n.outputs.includes(t));
  for (const match of cg.patterns) {
    if (![...match.inputs, ...match.outputs].some((t) => removedOf(t))) continue;
    for (const [node, edit] of match.zeroRemoved({ removed: removedOf, input, producerOf }))
      addEdit(edits, node, edit);
  }
  return withGraph(cg.model, applyNodeEdits(cg.model.graph, edits));
}
