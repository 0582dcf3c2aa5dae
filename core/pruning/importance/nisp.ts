// NISP (Yu et al. 2018): importance flows backwards from the final responses. A channel of a tensor is as
// important as the |weight|-weighted importance of what it feeds: through a conv s_in[i] = Σ_o Σ_k |W[o,i,k]|
// s_out[o]; through BN |γ/σ|; through every coupling op (concat offsets, split slices, residual adds) along
// the same channel mapping the dependency rules declare. Seeds: graph outputs and inputs of frozen ops.

import { floatAttr, intAttr } from '../../onnx/attributes';
import type { ChannelGraph } from '../dependency/channel-graph';
import type { Node } from '../../onnx/model';
import type { CouplingContext } from '../dependency/op-rule';
import type { PatternMatch } from '../dependency/pattern-rule';
import type { Criterion } from './criterion';
import { reduceMembers } from './reductions';

export function propagateNisp(cg: ChannelGraph): Map<string, Float64Array> {
  const s = new Map<string, Float64Array>();
  const get = (t: string) => {
    let v = s.get(t);
    if (!v) {
      v = new Float64Array(cg.tensors.get(t)!.channels);
      s.set(t, v);
    }
    return v;
  };
  for (const v of cg.model.graph.outputs) if (cg.tensors.has(v.name)) get(v.name).fill(1);
  // Finalise a node's outputs (all consumers done): scale to max 1 so depth does not overflow.
  const finalise = (tensors: readonly string[]) => {
    for (const t of tensors.filter((x) => cg.tensors.has(x))) {
      const v = get(t);
      const max = v.reduce((a, b) => Math.max(a, b), 0);
      if (max > 0) for (let i = 0; i < v.length; i++) v[i]! /= max;
    }
  };
  const donePatterns = new Set<PatternMatch>();
  for (const node of [...cg.order].reverse()) {
    const match = cg.patternOf(node);
    if (match) {
      if (!donePatterns.has(match)) {
        donePatterns.add(match);
        finalise(match.outputs);
        propagatePattern(cg, match, get);
      }
      continue;
    }
    const rule = cg.registry.get(node.opType);
    finalise(node.outputs);
    const ins = node.inputs.filter((t) => t && cg.tensors.has(t));
    if (!rule) {
      for (const t of ins) get(t).fill(1);
      continue;
    }
    if (node.opType === 'Conv') {
      const w = cg.constant(node.inputs[1]!);
      const x = node.inputs[0]!;
      const y = node.outputs[0]!;
      if (!w || !cg.tensors.has(x) || !cg.tensors.has(y)) continue;
      const sy = get(y);
      const sx = get(x);
      const data = w.data as Float32Array;
      const [o, i] = [w.dims[0]!, w.dims[1]!];
      const k = data.length / (o * i);
      const depthwise = intAttr(node, 'group', 1) !== 1;
      for (let a = 0; a < o; a++) {
        for (let b = 0; b < i; b++) {
          let abs = 0;
          for (let j = 0; j < k; j++) abs += Math.abs(data[(a * i + b) * k + j]!);
          sx[depthwise ? a : b]! += abs * sy[a]!;
        }
      }
      continue;
    }
    const factor =
      node.opType === 'BatchNormalization'
        ? bnFactor(cg, node.inputs, floatAttr(node, 'epsilon', 1e-5))
        : undefined;
    rule.couple(backwardContext(cg, node, node.outputs, get, factor));
  }
  return s;
}

/** A coupling context that adds each output channel's importance to the input channels it maps to. */
function backwardContext(
  cg: ChannelGraph,
  node: Node,
  outputTensors: readonly string[],
  get: (t: string) => Float64Array,
  factor?: Float64Array,
): CouplingContext {
  const outputs = new Set(outputTensors);
  return {
    node,
    opset: cg.opset,
    channels: (t) => cg.tensors.get(t)?.channels,
    dims: cg.dims,
    constant: cg.constant,
    consumers: cg.consumers,
    isGraphOutput: cg.isGraphOutput,
    coupleRange(ta, a, tb, b, count) {
      const [from, fromAt, to, toAt] = outputs.has(tb) ? [tb, b, ta, a] : [ta, a, tb, b];
      if (!outputs.has(from) || outputs.has(to) || !cg.tensors.has(from) || !cg.tensors.has(to)) return;
      const sf = get(from);
      const st = get(to);
      for (let j = 0; j < count; j++) st[toAt + j]! += sf[fromAt + j]! * (factor?.[fromAt + j] ?? 1);
    },
    source: () => undefined,
    block: () => undefined,
  };
}

/**
 * A pattern passes importance from its outputs back along its couplings; input channels nothing flows
 * into (attention's key dims, which only meet in a dot product) count as fully important, as the inputs
 * of an op without a rule do.
 */
function propagatePattern(cg: ChannelGraph, match: PatternMatch, get: (t: string) => Float64Array): void {
  match.couple(backwardContext(cg, match.nodes[0]!, match.outputs, get));
  for (const t of match.inputs) {
    const v = get(t);
    for (let i = 0; i < v.length; i++) if (v[i] === 0) v[i] = 1;
  }
}

function bnFactor(cg: ChannelGraph, inputs: readonly string[], eps: number): Float64Array | undefined {
  const gamma = cg.constant(inputs[1] ?? '')?.data as Float32Array | undefined;
  const variance = cg.constant(inputs[4] ?? '')?.data as Float32Array | undefined;
  if (!gamma || !variance) return undefined;
  return Float64Array.from(gamma, (g, c) => Math.abs(g) / Math.sqrt(variance[c]! + eps));
}

export const nispCriterion: Criterion = {
  name: 'nisp',
  score(group, ctx, { reduction, normalization }) {
    const nisp = ctx.nisp!;
    const members = ctx
      .membersOf(group)
      .filter((m) => m.member.kind === 'conv-out' && nisp.has(m.member.tensor));
    return reduceMembers(
      group.components.length,
      members,
      (m, c) => nisp.get(m.member.tensor)![c]!,
      reduction,
      normalization,
    );
  },
};
