// What AMC walks over: the units (dependency groups for granularity `channel`, ultralytics modules for
// `module`) in graph order, each with the paper's static state features, and the exact cost model that the
// resource constraint and the FLOPs features read. Built once per search from the model; plain data, so it is
// stored in the search state and no later step needs the model again. Costs are deploy-form (BN folded, as
// computeStats counts with `form: 'deploy'`): a FLOPs target is a cut of the model that ships.

import { intAttr, intsAttr } from '../../onnx/attributes';
import { defaultOpset, type Model } from '../../onnx/model';
import { indexGraph } from '../../graph/graph-index';
import { inferShapes } from '../../graph/shape-inference';
import { foldDecision } from '../../export/fold-batch-norm';
import { elementCount, staticDims } from '../../graph/value-shape';
import { buildChannelGraph } from '../../pruning/dependency/channel-graph';
import { buildGroups, prunableChannels, type ChannelGroup } from '../../pruning/groups';
import { segmentPartition, segmentsByGroup } from '../../pruning/plan/select-channels';
import { computeStats } from '../../stats';
import { partMapOf, partOfModule } from '../../yolo/part-map';
import { costOf, type Cost, type CostModel } from './cost-model';

export type SearchGranularity = 'module' | 'group';

export interface SearchUnit {
  /** The plan key: a group id (`/model.6/cv1/conv/Conv`) or a module (`model.6`). */
  id: string;
  stage: 'backbone' | 'neck' | 'head';
  /**
   * The paper's static features, normalised to [0, 1]: index, stage, coupled (a group several convs add
   * into), input channels, output channels, feature-map side, stride, kernel, the unit's FLOPs share.
   */
  features: number[];
  /** FLOPs of every conv and BN whose input or output holds the unit's channels, unpruned. */
  flops: number;
}

export interface SearchSpace {
  granularity: SearchGranularity;
  units: SearchUnit[];
  cost: CostModel;
  base: Cost;
}

export interface SpaceOptions {
  granularity: SearchGranularity;
  roundTo: number;
  /** The plan's min_channels (the engine's default is 8). */
  minChannels?: number;
  imgsz?: number;
}

const STAGE_VALUE = { backbone: 0, neck: 0.5, head: 1 } as const;

export function buildSearchSpace(model: Model, o: SpaceOptions): SearchSpace {
  const cg = buildChannelGraph(model);
  const gs = buildGroups(cg);
  const stats = computeStats(model, { imgsz: o.imgsz, form: 'deploy' });
  const stages = partMapOf(model);
  const input = model.graph.inputs.find((v) => !model.graph.initializers.has(v.name))!;
  const shapes = inferShapes(model.graph, {
    opset: defaultOpset(model) ?? 17,
    inputShapes: { [input.name]: [...stats.inputShape] },
  });
  const dims = (t: string | undefined) => (t ? staticDims(shapes.shapes.get(t)) : undefined);

  // Units, in graph order (groups come in source order).
  const prunable = gs.groups.filter((g) => prunableChannels(g).length > 0);
  const unitGroups: { id: string; groups: ChannelGroup[]; root: ChannelGroup }[] = [];
  if (o.granularity === 'group') {
    for (const g of prunable) unitGroups.push({ id: g.id, groups: [g], root: g });
  } else {
    const byModule = new Map<number, ChannelGroup[]>();
    for (const g of prunable) {
      if (g.module === undefined) continue;
      byModule.set(g.module, [...(byModule.get(g.module) ?? []), g]);
    }
    for (const m of [...byModule.keys()].sort((a, b) => a - b)) {
      const groups = byModule.get(m)!;
      unitGroups.push({ id: `model.${m}`, groups, root: groups[0]! });
    }
  }

  // Parts: a group's split segments when they partition it (per-segment cutting), else the whole group.
  let exact = true;
  const segments = segmentsByGroup(gs);
  const groupIndex = new Map(gs.groups.map((g, i) => [g, i]));
  const partUnit: number[] = [];
  const partSize: number[] = [];
  const partPrunable: number[] = [];
  const partOfChannel = new Map<ChannelGroup, Int32Array>();
  unitGroups.forEach((u, ui) => {
    for (const g of u.groups) {
      const seg = segments[groupIndex.get(g)!]!;
      const parts = segmentPartition(g, seg) ?? [g.components.map((_, i) => i)];
      if (seg.size.length > 0 && !segmentPartition(g, seg)) exact = false;
      const of = new Int32Array(g.components.length);
      for (const part of parts) {
        const p = partUnit.length;
        partUnit.push(ui);
        partSize.push(part.length);
        partPrunable.push(part.filter((i) => g.frozen[i] === undefined).length);
        for (const i of part) of[i] = p;
      }
      partOfChannel.set(g, of);
    }
  });
  const componentPart = new Int32Array(cg.componentCount).fill(-1);
  for (const [g, of] of partOfChannel) g.components.forEach((c, i) => (componentPart[c] = of[i]!));

  // Tensors the terms read: kept channels = fixed + Σ multiplicity × kept channels of each part present.
  const tensorIndex = new Map<string, number>();
  const tensorFixed: number[] = [];
  const tensorParts: [number, number][][] = [];
  const tensorUnits: Set<number>[] = [];
  const tensorOf = (name: string | undefined): number => {
    if (!name) return -1;
    const known = tensorIndex.get(name);
    if (known !== undefined) return known;
    const info = cg.tensors.get(name);
    if (!info) return -1;
    const counts = new Map<number, number>();
    let fixed = 0;
    for (let c = 0; c < info.channels; c++) {
      const p = componentPart[cg.componentOfElement[info.base + c]!]!;
      if (p < 0) fixed++;
      else counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    const parts: [number, number][] = [];
    for (const [p, count] of counts) {
      if (count % partSize[p]! !== 0) exact = false;
      parts.push([p, count / partSize[p]!]);
    }
    const i = tensorFixed.length;
    tensorIndex.set(name, i);
    tensorFixed.push(fixed);
    tensorParts.push(parts);
    tensorUnits.push(new Set(parts.map(([p]) => partUnit[p]!)));
    return i;
  };

  const termFlops: number[] = [];
  const termParams: number[] = [];
  const termA: number[] = [];
  const termB: number[] = [];
  let covered = { flops: 0, params: 0 };
  const unitFlops = new Float64Array(unitGroups.length);
  const addTerm = (flops: number, params: number, a: string | undefined, b: string | undefined) => {
    // An untracked side keeps its channels: fold its full count into the coefficient.
    let f = flops;
    let p = params;
    const ia = tensorOf(a);
    const ib = tensorOf(b);
    if (a && ia < 0) {
      const d = dims(a);
      f *= d?.[1] ?? 1;
      p *= d?.[1] ?? 1;
    }
    if (b && ib < 0) {
      const d = dims(b);
      f *= d?.[1] ?? 1;
      p *= d?.[1] ?? 1;
    }
    termFlops.push(f);
    termParams.push(p);
    termA.push(ia);
    termB.push(ib);
    const full = (i: number) => (i < 0 ? 1 : fullChannels(i));
    const value = full(ia) * full(ib);
    covered = { flops: covered.flops + f * value, params: covered.params + p * value };
    const touched = new Set([...(ia >= 0 ? tensorUnits[ia]! : []), ...(ib >= 0 ? tensorUnits[ib]! : [])]);
    for (const u of touched) unitFlops[u]! += f * value;
  };
  const fullChannels = (t: number) =>
    tensorFixed[t]! + tensorParts[t]!.reduce((s, [p, mult]) => s + mult * partSize[p]!, 0);

  const index = indexGraph(model.graph);
  for (const node of model.graph.nodes) {
    if (node.domain !== '' && node.domain !== 'ai.onnx') continue;
    if (node.opType === 'Conv') {
      const w = dims(node.inputs[1]) ?? model.graph.initializers.get(node.inputs[1]!)?.dims;
      const out = dims(node.outputs[0]);
      if (!w || !out) continue; // uncosted by the stats as well
      const hw = elementCount(out.slice(2));
      const k = elementCount(w.slice(2));
      const group = intAttr(node, 'group', 1);
      const bias = node.inputs[2] ? 1 : 0;
      if (group === 1) {
        addTerm(2 * hw * k, k, node.outputs[0], node.inputs[0]);
      } else if (w[1] === 1 && w[0] === group) {
        addTerm(2 * hw * k, k, node.outputs[0], undefined); // depthwise: one filter per channel
      } else continue; // other grouped convs are frozen: their cost stays in the constant
      if (bias) addTerm(0, 1, node.outputs[0], undefined);
    } else if (node.opType === 'BatchNormalization') {
      const fold = node.domain === '' ? foldDecision(model.graph, index, node) : undefined;
      if (fold?.fold) {
        // Folded into its Conv: no FLOPs; one bias per kept channel when the Conv had none.
        if (!fold.conv.inputs[2]) addTerm(0, 1, node.inputs[0], undefined);
        continue;
      }
      const x = dims(node.inputs[0]);
      if (!x) continue;
      addTerm(8 * elementCount(x.slice(2)), 2, node.inputs[0], undefined);
    }
  }
  const constant = { flops: stats.flops - covered.flops, params: stats.params - covered.params };
  if (constant.flops < 0 || constant.params < 0) exact = false;
  const cost: CostModel = {
    roundTo: o.roundTo,
    minChannels: o.minChannels ?? 8,
    partUnit,
    partSize,
    partPrunable,
    tensorFixed,
    tensorParts,
    termFlops,
    termParams,
    termA,
    termB,
    constant,
    exact,
  };

  // Static features (AMC §3.2), each normalised by its largest value over the units.
  const raw = unitGroups.map((u, i) => {
    const node = model.graph.nodes.find((n) => n.name === u.root.id);
    const w = node
      ? (dims(node.inputs[1]) ?? model.graph.initializers.get(node.inputs[1]!)?.dims)
      : undefined;
    const out = node ? dims(node.outputs[0]) : undefined;
    const module = u.root.module;
    return {
      index: i,
      stage: (module === undefined
        ? 'head'
        : (partOfModule(module, stages) ?? 'head')) as SearchUnit['stage'],
      coupled: u.groups.some((g) => g.sourceNodes.length > 1) ? 1 : 0,
      cin: w && node ? w[1]! * intAttr(node, 'group', 1) : 0,
      cout: u.groups.reduce((s, g) => s + g.components.length, 0),
      side: out?.[2] ?? 0,
      stride: (node && intsAttr(node, 'strides')?.[0]) || 1,
      kernel: w?.[2] ?? 1,
      flops: unitFlops[i]!,
    };
  });
  const max = (f: (r: (typeof raw)[number]) => number) => Math.max(1e-12, ...raw.map(f));
  const norm = {
    index: Math.max(1, raw.length - 1),
    cin: max((r) => r.cin),
    cout: max((r) => r.cout),
    side: max((r) => r.side),
    stride: max((r) => r.stride),
    kernel: max((r) => r.kernel),
  };
  const units: SearchUnit[] = raw.map((r, i) => ({
    id: unitGroups[i]!.id,
    stage: r.stage,
    features: [
      r.index / norm.index,
      STAGE_VALUE[r.stage],
      r.coupled,
      r.cin / norm.cin,
      r.cout / norm.cout,
      r.side / norm.side,
      r.stride / norm.stride,
      r.kernel / norm.kernel,
      r.flops / stats.flops,
    ],
    flops: r.flops,
  }));
  const space: SearchSpace = {
    granularity: o.granularity,
    units,
    cost,
    base: { flops: stats.flops, params: stats.params },
  };
  // The model at ratio 0 must cost what the stats say; if not, something is not followed: approximate.
  const unpruned = costOf(cost, new Float64Array(units.length));
  if (Math.abs(unpruned.flops - stats.flops) > 1e-6 * stats.flops) cost.exact = false;
  return space;
}
