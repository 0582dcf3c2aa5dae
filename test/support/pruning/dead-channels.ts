// An independent pruning oracle: it owes nothing to the engine (no channel graph, no groups, no zeroing
// helpers). Chosen conv output channels are made dead in the original model, so their activation is exactly
// 0 everywhere it goes; a model pruned of exactly those channels must then compute what the dead-channel
// model computes. Which convs carry one channel (a residual add joins a C2f's cv1 half to every bottleneck's
// cv2 output) is written down by hand from YOLO's structure by the test, never read from the engine.

import { DataType } from '../../../core/onnx/data-type';
import type { Model, Node, Tensor } from '../../../core/onnx/model';
import { maxRelativeDiff, runModel } from './run-onnx';
import type { Feeds } from './invariant';

/** Conv node name → output channels to kill. */
export type Kills = Readonly<Record<string, readonly number[]>>;

function nodeNamed(model: Model, name: string): Node {
  const node = model.graph.nodes.find((n) => n.name === name);
  if (!node) throw new Error(`no node named ${name}`);
  return node;
}

function floatInit(model: Model, name: string): Tensor & { data: Float32Array } {
  const t = model.graph.initializers.get(name);
  if (!t || !(t.data instanceof Float32Array) || t.dataType !== DataType.FLOAT)
    throw new Error(`${name} is not a float32 initializer`);
  return t as Tensor & { data: Float32Array };
}

/** Output channel count of a conv node (its weight's first dim). */
export function convOutChannels(model: Model, conv: string): number {
  return floatInit(model, nodeNamed(model, conv).inputs[1]!).dims[0]!;
}

/** Input channel count of a conv node's filters (weight dims[1]; × group for grouped convs). */
export function convInChannels(model: Model, conv: string): number {
  return floatInit(model, nodeNamed(model, conv).inputs[1]!).dims[1]!;
}

/**
 * The model with each listed conv output channel dead: its filter row is 0 (so the conv's output is 0), and
 * the shift after it is 0 as well — the BatchNormalization reading the conv gets γ = β = 0 (train-form:
 * BN(0) = 0, SiLU(0) = 0), or the conv's own bias is 0 (deploy-form). A conv followed by anything else is
 * refused: then the channel would not be provably 0.
 */
export function killChannels(model: Model, kills: Kills): Model {
  const inits = new Map(model.graph.initializers);
  const edit = (name: string, indices: readonly number[], rowSize: number) => {
    const t = floatInit(model, name);
    const data = Float32Array.from((inits.get(name) as typeof t | undefined)?.data ?? t.data);
    for (const c of indices) {
      if (c < 0 || (c + 1) * rowSize > data.length) throw new Error(`${name}: no channel ${c}`);
      data.fill(0, c * rowSize, (c + 1) * rowSize);
    }
    inits.set(name, { ...t, data });
  };
  for (const [convName, channels] of Object.entries(kills)) {
    const conv = nodeNamed(model, convName);
    if (conv.opType !== 'Conv') throw new Error(`${convName} is a ${conv.opType}, not a Conv`);
    const w = floatInit(model, conv.inputs[1]!);
    edit(
      w.name,
      channels,
      w.dims.slice(1).reduce((a, b) => a * b, 1),
    );
    if (conv.inputs[2]) edit(conv.inputs[2], channels, 1);
    const readers = model.graph.nodes.filter((n) => n.inputs.includes(conv.outputs[0]!));
    const bn = readers.find((n) => n.opType === 'BatchNormalization');
    if (bn) {
      edit(bn.inputs[1]!, channels, 1); // γ
      edit(bn.inputs[2]!, channels, 1); // β
    } else if (!conv.inputs[2]) {
      throw new Error(`${convName}: neither a bias nor a BatchNormalization follows; cannot kill channels`);
    }
  }
  return { ...model, graph: { ...model.graph, initializers: inits } };
}

function withOutputs(model: Model, names: readonly string[]): Model {
  const existing = new Set(model.graph.outputs.map((o) => o.name));
  const extra = names
    .filter((n) => !existing.has(n))
    .map((name) => ({ name, type: { kind: 'tensor' as const, elemType: DataType.FLOAT } }));
  return { ...model, graph: { ...model.graph, outputs: [...model.graph.outputs, ...extra] } };
}

function dropChannels(data: Float32Array, channels: number, drop: readonly number[]): Float32Array {
  const plane = data.length / channels;
  const gone = new Set(drop);
  const out = new Float32Array((channels - gone.size) * plane);
  let j = 0;
  for (let c = 0; c < channels; c++) {
    if (gone.has(c)) continue;
    out.set(data.subarray(c * plane, (c + 1) * plane), j++ * plane);
  }
  return out;
}

export interface OracleComparison {
  /** Largest max-relative difference over every compared tensor. */
  readonly maxRelDiff: number;
  readonly worst: string;
  readonly compared: number;
}

/**
 * Runs `pruned` and `reference` (the dead-channel model) on `feeds` and compares every graph output and every
 * Conv output: a killed conv's on its surviving channels (kept in their original order), every other conv's
 * whole (a conv that lost width it was not asked to lose is a difference). Batch 1 only.
 */
export async function compareWithDeadChannels(
  reference: Model,
  pruned: Model,
  kills: Kills,
  feeds: Feeds,
): Promise<OracleComparison> {
  const convOutputs = reference.graph.nodes.filter((n) => n.opType === 'Conv').map((n) => n.outputs[0]!);
  const prunedTensors = new Set(pruned.graph.nodes.flatMap((n) => n.outputs));
  const lost = convOutputs.filter((t) => !prunedTensors.has(t));
  if (lost.length > 0) throw new Error(`the pruned model lost conv outputs ${lost.slice(0, 3).join(', ')}`);
  const probes = convOutputs;
  const [a, b] = await Promise.all([
    runModel(withOutputs(pruned, probes), feeds),
    runModel(withOutputs(reference, probes), feeds),
  ]);
  const killedOutput = new Map(
    Object.entries(kills).map(([conv, list]) => [
      nodeNamed(reference, conv).outputs[0]!,
      { list, channels: convOutChannels(reference, conv) },
    ]),
  );
  let maxRelDiff = 0;
  let worst = '';
  let compared = 0;
  for (const [name, ref] of Object.entries(b)) {
    const got = a[name];
    if (!got) throw new Error(`the pruned model has no output ${name}`);
    const killed = killedOutput.get(name);
    // A conv the test did not kill must keep its width: the engine may cut only the channels it was given.
    const expected = killed ? dropChannels(ref, killed.channels, killed.list) : ref;
    const d = maxRelativeDiff(got, expected);
    compared++;
    if (d > maxRelDiff || Number.isNaN(d)) {
      maxRelDiff = Number.isNaN(d) ? Infinity : d;
      worst = name;
    }
  }
  for (const v of reference.graph.outputs)
    if (!(v.name in a)) throw new Error(`graph output ${v.name} was not compared`);
  return { maxRelDiff, worst, compared };
}
