// Groups: the units that are scored and pruned together. A group gathers every channel component reachable
// from one set of channel-creating tensors (a conv and everything added to it, e.g. a C2f's cv1 and the
// residual bottlenecks that add into its second half). Channel i of a group is component components[i].

import type { ChannelGraph } from './dependency/channel-graph';
import type { FrozenReason, FrozenReasonKind } from './dependency/op-rule';
import { UnionFind } from './dependency/union-find';
import { moduleIndexOfNode as moduleIndexOf } from '../yolo/part-map';
import { isDflNode } from './dependency/yolo-naming';

export interface ChannelGroup {
  /** The name of the node that creates the group's first channels (its root conv); stable across runs. */
  readonly id: string;
  readonly rootTensor: string;
  /** Every node that creates channels of this group (the root conv, convs added to it). */
  readonly sourceNodes: readonly string[];
  /** ultralytics module index of the root, when the graph uses that naming. */
  readonly module: number | undefined;
  readonly components: readonly number[];
  /** Per channel: why it cannot be removed, or undefined. */
  readonly frozen: readonly (FrozenReason | undefined)[];
}

export interface FrozenGroupReport {
  readonly group: string;
  readonly reason: FrozenReasonKind;
  readonly at: string;
  readonly detail: string;
  /** Frozen channels of the group / all its channels. */
  readonly channels: number;
  readonly of: number;
}

export interface GroupSet {
  readonly graph: ChannelGraph;
  readonly groups: readonly ChannelGroup[];
  readonly byId: ReadonlyMap<string, ChannelGroup>;
  /** Group index of each component, -1 for components no source reaches. */
  readonly groupOfComponent: Int32Array;
  readonly frozen: readonly FrozenGroupReport[];
}

function refine(
  reason: FrozenReason | undefined,
  rootNode: string,
  rootIsConv: boolean,
  detectModule: number,
): FrozenReason | undefined {
  if (!reason || !rootIsConv || isDflNode(rootNode)) return reason;
  const inDetect = detectModule >= 0 && moduleIndexOf(rootNode) === detectModule;
  if (inDetect && (reason.kind === 'decode-path' || reason.kind === 'graph-output')) {
    return {
      kind: 'head-output',
      at: rootNode,
      detail: 'last conv of a head branch: its channels are box distributions or class logits',
    };
  }
  return reason;
}

export function buildGroups(cg: ChannelGraph): GroupSet {
  const uf = new UnionFind(cg.componentCount);
  const componentsOf = (tensor: string): number[] => {
    const t = cg.tensors.get(tensor)!;
    return Array.from(cg.componentOfElement.subarray(t.base, t.base + t.channels));
  };
  for (const s of cg.sources) {
    const comps = componentsOf(s.tensor);
    for (const c of comps) uf.union(comps[0]!, c);
  }
  const nodeByName = new Map(cg.model.graph.nodes.map((n) => [n.name, n]));
  const detectModule = Math.max(-1, ...cg.model.graph.nodes.map((n) => moduleIndexOf(n.name) ?? -1));
  const groupOfComponent = new Int32Array(cg.componentCount).fill(-1);
  const groups: { id: string; rootTensor: string; sourceNodes: string[]; components: number[] }[] = [];
  const groupOfRoot = new Map<number, number>();
  for (const s of cg.sources) {
    const comps = componentsOf(s.tensor);
    const root = uf.find(comps[0]!);
    let gi = groupOfRoot.get(root);
    if (gi === undefined) {
      gi = groups.length;
      groupOfRoot.set(root, gi);
      groups.push({ id: s.node, rootTensor: s.tensor, sourceNodes: [], components: [] });
    }
    const g = groups[gi]!;
    if (!g.sourceNodes.includes(s.node)) g.sourceNodes.push(s.node);
    for (const c of comps) {
      if (groupOfComponent[c] === -1) {
        groupOfComponent[c] = gi;
        g.components.push(c);
      }
    }
  }
  const out: ChannelGroup[] = groups.map((g) => {
    const rootIsConv = nodeByName.get(g.id)?.opType === 'Conv';
    return {
      ...g,
      module: moduleIndexOf(g.id),
      frozen: g.components.map((c) => refine(cg.blocked[c], g.id, rootIsConv, detectModule)),
    };
  });
  const frozen: FrozenGroupReport[] = [];
  for (const g of out) {
    const byKind = new Map<FrozenReasonKind, { reason: FrozenReason; count: number }>();
    for (const r of g.frozen) {
      if (!r) continue;
      const entry = byKind.get(r.kind);
      if (entry) entry.count++;
      else byKind.set(r.kind, { reason: r, count: 1 });
    }
    for (const { reason, count } of byKind.values()) {
      frozen.push({
        group: g.id,
        reason: reason.kind,
        at: reason.at,
        detail: reason.detail,
        channels: count,
        of: g.components.length,
      });
    }
  }
  return { graph: cg, groups: out, byId: new Map(out.map((g) => [g.id, g])), groupOfComponent, frozen };
}

/** Channels of a group that may be removed. */
export function prunableChannels(group: ChannelGroup): number[] {
  const out: number[] = [];
  group.frozen.forEach((r, i) => r === undefined && out.push(i));
  return out;
}
