// Removes channel components from a model: every tracked tensor loses the channels whose component is
// removed, and every node touching such a tensor is cut by its op rule. Returns a new Model; the input is
// not modified. The invariant check's counterpart (zeroing consumers) lives in zero-removed-inputs.ts.

import { withGraph } from '../../graph/transform';
import type { Graph, Model, Node, ValueInfo } from '../../onnx/model';
import type { ChannelGraph } from '../dependency/channel-graph';
import type { SurgeryContext, SurgeryResult } from '../dependency/op-rule';
import { PruneError } from '../errors';
import { addEdit } from '../dependency/patterns/shape-operand';
import { applyNodeEdits } from './node-edits';

/** Kept channel indices per tracked tensor that loses channels. */
export function keptChannels(cg: ChannelGraph, removed: ReadonlySet<number>): Map<string, number[]> {
  const kept = new Map<string, number[]>();
  for (const t of cg.tensors.values()) {
    let changed = false;
    const list: number[] = [];
    for (let c = 0; c < t.channels; c++) {
      if (removed.has(cg.componentOfElement[t.base + c]!)) changed = true;
      else list.push(c);
    }
    if (changed) kept.set(t.name, list);
  }
  return kept;
}

function withChannelCount(v: ValueInfo, channels: number): ValueInfo {
  if (v.type?.kind !== 'tensor' || !v.type.shape || v.type.shape.length < 2) return v;
  const shape = v.type.shape.slice();
  shape[1] = channels;
  return { ...v, type: { ...v.type, shape } };
}

export function removeComponents(cg: ChannelGraph, removed: ReadonlySet<number>): Model {
  for (const c of removed) {
    const reason = cg.blocked[c];
    if (reason)
      throw new PruneError(
        'PRUNE_UNIT_FROZEN',
        `a removed channel is frozen (${reason.kind} at ${reason.at}: ${reason.detail})`,
      );
  }
  const kept = keptChannels(cg, removed);
  for (const [tensor, list] of kept) {
    if (list.length === 0)
      throw new PruneError('PRUNE_SURGERY_FAILED', `removing these channels would leave ${tensor} with none`);
  }
  const edits = new Map<Node, SurgeryResult>();
  // Declared shapes inside a cut pattern go stale (a view's width changes): they are dropped, not guessed.
  const stale = new Set<string>();
  for (const match of cg.patterns) {
    const boundary = [...match.inputs, ...match.outputs, ...match.virtual.map((v) => v.name)];
    if (!boundary.some((t) => kept.has(t))) continue;
    match.internal.forEach((t) => stale.add(t));
    try {
      for (const [node, edit] of match.prune({ kept: (t) => kept.get(t), opset: cg.opset }))
        addEdit(edits, node, edit);
    } catch (err) {
      throw new PruneError(
        'PRUNE_SURGERY_FAILED',
        `surgery on the ${match.pattern} at ${match.nodes[0]!.name} failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  for (const node of cg.order) {
    if (cg.patternOf(node)) continue;
    const changed = [...node.inputs, ...node.outputs].some((t) => kept.has(t));
    if (!changed) continue;
    const rule = cg.registry.get(node.opType);
    if (!rule)
      throw new PruneError(
        'PRUNE_SURGERY_FAILED',
        `${node.name} (${node.opType}) has no rule but its channels changed`,
      );
    const ctx: SurgeryContext = {
      node,
      opset: cg.opset,
      keptIn: (i) => kept.get(node.inputs[i] ?? ''),
      keptOut: (i) => kept.get(node.outputs[i] ?? ''),
      constant: cg.constant,
      dims: cg.dims,
    };
    try {
      addEdit(edits, node, rule.prune(ctx));
    } catch (err) {
      if (err instanceof PruneError) throw err;
      throw new PruneError(
        'PRUNE_SURGERY_FAILED',
        `surgery on ${node.name} (${node.opType}) failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  const graph: Graph = applyNodeEdits(cg.model.graph, edits);
  const resize = (v: ValueInfo) => {
    const list = kept.get(v.name);
    return list ? withChannelCount(v, list.length) : v;
  };
  return withGraph(cg.model, {
    ...graph,
    valueInfo: graph.valueInfo.filter((v) => !stale.has(v.name)).map(resize),
    outputs: graph.outputs.map(resize),
    inputs: graph.inputs.map(resize),
  });
}
