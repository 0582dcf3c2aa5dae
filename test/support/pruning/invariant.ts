// The correctness invariant: the pruned model must compute what the unpruned model computes once the
// input-side weights of every consumer of the removed channels are zeroed. Both run in onnxruntime; besides
// the graph outputs, every conv output is compared (on its kept channels), because on untrained weights the
// decoded detection output and even the head maps are dominated by biases and anchor arithmetic, while the
// early layers carry a strong signal.

import { DataType } from '../../../core/onnx/data-type';
import type { Model } from '../../../core/onnx/model';
import { buildChannelGraph } from '../../../core/pruning/dependency/channel-graph';
import { buildGroups } from '../../../core/pruning/groups';
import type { Plan } from '../../../core/pruning/plan/plan-schema';
import { keptChannels } from '../../../core/pruning/surgery/remove-channels';
import { zeroRemovedInputs } from '../../../core/pruning/surgery/zero-removed-inputs';
import { maxRelativeDiff, runModel } from './run-onnx';

export type Feeds = Record<string, { dims: readonly number[]; data: Float32Array }>;

function withOutputs(model: Model, names: readonly string[]): Model {
  const existing = new Set(model.graph.outputs.map((o) => o.name));
  const extra = names
    .filter((n) => !existing.has(n))
    .map((name) => ({ name, type: { kind: 'tensor' as const, elemType: DataType.FLOAT } }));
  return { ...model, graph: { ...model.graph, outputs: [...model.graph.outputs, ...extra] } };
}

export interface InvariantResult {
  readonly maxRelDiff: number;
  readonly compared: readonly string[];
  readonly removedComponents: number;
}

/** Checks `pruned` (made from `original` by `applied`) against the zeroed original. */
export async function checkInvariant(
  original: Model,
  pruned: Model,
  applied: Plan,
  feeds: Feeds,
): Promise<InvariantResult> {
  const cg = buildChannelGraph(original);
  const gs = buildGroups(cg);
  const removed = new Set<number>();
  for (const [id, list] of Object.entries(applied.channels ?? {}))
    for (const i of list) removed.add(gs.byId.get(id)!.components[i]!);
  const kept = keptChannels(cg, removed);
  const probes = original.graph.nodes
    .filter((n) => n.opType === 'Conv' && cg.tensors.has(n.outputs[0]!))
    .map((n) => n.outputs[0]!);
  const zeroed = withOutputs(zeroRemovedInputs(cg, removed), probes);
  const [a, b] = await Promise.all([runModel(withOutputs(pruned, probes), feeds), runModel(zeroed, feeds)]);
  let maxRelDiff = 0;
  const compared = Object.keys(b);
  for (const k of compared) {
    const t = cg.tensors.get(k);
    const list = kept.get(k);
    const reference = t && list ? keepChannels(b[k]!, t.channels, list) : b[k]!;
    maxRelDiff = Math.max(maxRelDiff, maxRelativeDiff(a[k]!, reference));
  }
  return { maxRelDiff, compared, removedComponents: removed.size };
}

/** The kept channels of a batch-1 NCHW (or NC...) tensor. */
function keepChannels(data: Float32Array, channels: number, kept: readonly number[]): Float32Array {
  const plane = data.length / channels;
  const out = new Float32Array(kept.length * plane);
  kept.forEach((c, i) => out.set(data.subarray(c * plane, (c + 1) * plane), i * plane));
  return out;
}

export function randomFeeds(model: Model, imgsz: number, seed = 7): Feeds {
  let s = seed;
  const next = () => (s = (s * 1664525 + 1013904223) >>> 0) / 4294967296;
  const input = model.graph.inputs[0]!;
  const shape = input.type?.kind === 'tensor' ? input.type.shape : undefined;
  const c = typeof shape?.[1] === 'number' ? shape[1] : 3;
  const dims = [1, c, imgsz, imgsz];
  return { [input.name]: { dims, data: Float32Array.from({ length: c * imgsz * imgsz }, next) } };
}
