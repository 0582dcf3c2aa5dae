// The high-level pruner: it only orchestrates. Parse the plan, build the dependency graph and groups, score
// the groups that are to shrink, choose channels, cut them out, and return the new model with the plan as
// actually applied (explicit channel lists) so the pruning can be replayed exactly.

import type { Model } from '../onnx/model';
import { moduleIndexOfNode, partMapOf, partOfModule, type PartMap } from '../yolo/part-map';
import { buildChannelGraph, type ChannelGraph } from './dependency/channel-graph';
import type { OpRegistry } from './dependency/op-registry';
import { PruneError } from './errors';
import {
  buildGroups,
  type ChannelGroup,
  type FrozenGroupReport,
  type GroupSet,
  prunableChannels,
} from './groups';
import { requireBatchNorm } from './importance/bn-gamma';
import type { ActivationRanks, ImportanceContext } from './importance/criterion';
import { collectGroupMembers } from './importance/group-members';
import { criterionByName } from './importance/importance-registry';
import { propagateNisp } from './importance/nisp';
import { dropBottlenecks } from './layers/drop-bottlenecks';
import { parsePlan } from './plan/parse-plan';
import type { Plan } from './plan/plan-schema';
import { segmentPartition, segmentsByGroup, selectPerSegment, selectRemoval } from './plan/select-channels';
import { plannedRemoval } from './plan/reachable-widths';
import { removeComponents } from './surgery/remove-channels';

export interface PruneDeps {
  /** Feature-map ranks over calibration images, for hrank (runtime/pruning/activations.ts). */
  readonly activations?: ActivationRanks;
  /** Taylor scores by conv node name. */
  readonly taylorScores?: ReadonlyMap<string, Float64Array>;
  readonly registry?: OpRegistry;
}

export interface PruneResult {
  readonly model: Model;
  /** The plan as applied: explicit channel lists per group; replaying it gives the same model. */
  readonly applied: Plan;
  readonly groups: number;
  readonly frozen: readonly FrozenGroupReport[];
  readonly removedChannels: number;
}

function moduleKey(key: string): number {
  const m = /^(?:model\.)?(\d+)$/.exec(key);
  if (!m) throw new PruneError('PRUNE_UNIT_UNKNOWN', `unknown module '${key}' (expected model.N or N)`);
  return Number(m[1]);
}

/** Ratio for a group: the most specific unit that names it wins (layer, module hidden width, module, part, global). */
function ratioOf(
  plan: Plan,
  group: ChannelGroup,
  modules: ReadonlyMap<number, number>,
  hidden: ReadonlyMap<number, number>,
  internal: boolean,
  stages: PartMap,
): number {
  const layer = plan.groups?.[group.id];
  if (layer !== undefined) return layer;
  if (group.module !== undefined) {
    const h = internal ? hidden.get(group.module) : undefined;
    if (h !== undefined) return h;
    const m = modules.get(group.module);
    if (m !== undefined) return m;
    const stage = partOfModule(group.module, stages);
    const s = stage ? plan.stages?.[stage] : undefined;
    if (s !== undefined) return s;
  }
  return plan.global_ratio ?? 0;
}

function validateUnits(plan: Plan, gs: GroupSet, modules: ReadonlyMap<number, number>): void {
  for (const id of [...Object.keys(plan.groups ?? {}), ...Object.keys(plan.channels ?? {})]) {
    const g = gs.byId.get(id);
    if (!g)
      throw new PruneError(
        'PRUNE_UNIT_UNKNOWN',
        `the plan names group '${id}', which this model does not have`,
      );
    const ratio = plan.groups?.[id] ?? 0;
    if ((ratio > 0 || (plan.channels?.[id]?.length ?? 0) > 0) && prunableChannels(g).length === 0) {
      const reason = g.frozen.find((r) => r !== undefined)!;
      throw new PruneError('PRUNE_UNIT_FROZEN', `group '${id}' is frozen (${reason.kind}: ${reason.detail})`);
    }
  }
  const present = new Set(gs.groups.map((g) => g.module));
  for (const [m] of modules) {
    if (!present.has(m))
      throw new PruneError(
        'PRUNE_UNIT_UNKNOWN',
        `the plan names module model.${m}, which has no prunable groups in this model`,
      );
  }
}

/** Groups whose every tensor is produced and consumed inside the root's module: a module's hidden width. */
function internalGroups(gs: GroupSet): Set<ChannelGroup> {
  const cg = gs.graph;
  const moduleOfTensor = new Map<string, number | undefined>();
  const leaves = new Set<number>();
  for (const node of cg.order) {
    const m = moduleIndexOfNode(node.name);
    for (const t of node.outputs) moduleOfTensor.set(t, m);
  }
  for (const v of cg.model.graph.outputs) if (cg.tensors.has(v.name)) markLeaving(v.name);
  for (const node of cg.order) {
    const m = moduleIndexOfNode(node.name);
    for (const t of node.inputs) if (cg.tensors.has(t) && moduleOfTensor.get(t) !== m) markLeaving(t);
  }
  function markLeaving(t: string): void {
    const info = cg.tensors.get(t)!;
    for (let c = 0; c < info.channels; c++)
      leaves.add(gs.groupOfComponent[cg.componentOfElement[info.base + c]!]!);
  }
  return new Set(gs.groups.filter((g, i) => !leaves.has(i) && g.module !== undefined));
}

async function importanceContext(
  plan: Plan,
  cg: ChannelGraph,
  gs: GroupSet,
  deps: PruneDeps,
): Promise<ImportanceContext> {
  const base = { groups: gs, membersOf: collectGroupMembers(gs), seed: plan.seed };
  switch (plan.criterion) {
    case 'bn-gamma':
      requireBatchNorm(cg.model.graph.nodes.map((n) => n.opType));
      return base;
    case 'nisp':
      return { ...base, nisp: propagateNisp(cg) };
    case 'taylor':
      if (!deps.taylorScores)
        throw new PruneError('PRUNE_SCORES_INVALID', 'criterion taylor needs scores (--scores FILE)');
      return { ...base, externalScores: deps.taylorScores };
    case 'hrank': {
      if (!deps.activations)
        throw new PruneError(
          'PRUNE_CALIBRATION_MISSING',
          'criterion hrank needs calibration images (--calib DIR)',
        );
      const outputs = new Map(cg.model.graph.nodes.map((n) => [n.name, n.outputs[0]!]));
      const tensors = gs.groups
        .flatMap((g) => (prunableChannels(g).length > 0 ? g.sourceNodes : []))
        .flatMap((n) => (outputs.has(n) && cg.tensors.has(outputs.get(n)!) ? [outputs.get(n)!] : []));
      return { ...base, ranks: await deps.activations.ranks(tensors) };
    }
    default:
      return base;
  }
}

export async function pruneModel(
  model: Model,
  planInput: unknown,
  deps: PruneDeps = {},
): Promise<PruneResult> {
  const plan = parsePlan(planInput);
  const source = plan.blocks?.length ? dropBottlenecks(model, plan.blocks) : model;
  const cg = buildChannelGraph(source, deps.registry);
  const gs = buildGroups(cg);
  const modules = new Map(Object.entries(plan.modules ?? {}).map(([k, r]) => [moduleKey(k), r]));
  validateUnits(plan, gs, modules);

  const hidden = new Map(Object.entries(plan.module_hidden ?? {}).map(([k, r]) => [moduleKey(k), r]));
  validateUnits(plan, gs, hidden);
  const internal = internalGroups(gs);
  const stages = partMapOf(source);
  const ratios = new Map(
    gs.groups.map((g) => [
      g,
      plan.channels?.[g.id] ? 0 : ratioOf(plan, g, modules, hidden, internal.has(g), stages),
    ]),
  );
  const needsScores = [...ratios].some(([g, r]) => r > 0 && prunableChannels(g).length > 0);
  const ctx = needsScores ? await importanceContext(plan, cg, gs, deps) : undefined;
  const criterion = criterionByName(plan.criterion);

  const removed = new Set<number>();
  const channels: Record<string, number[]> = {};
  const segments = needsScores ? segmentsByGroup(gs) : [];
  for (const [gi, g] of gs.groups.entries()) {
    let list: number[];
    const explicit = plan.channels?.[g.id];
    if (explicit) {
      for (const i of explicit) {
        if (i >= g.components.length)
          throw new PruneError(
            'PRUNE_PLAN_INVALID',
            `group '${g.id}' has ${g.components.length} channels; the plan removes channel ${i}`,
          );
        const reason = g.frozen[i];
        if (reason)
          throw new PruneError(
            'PRUNE_UNIT_FROZEN',
            `channel ${i} of group '${g.id}' is frozen (${reason.kind}: ${reason.detail})`,
          );
      }
      list = [...new Set(explicit)].sort((a, b) => a - b);
    } else {
      const ratio = ratios.get(g)!;
      // needsScores (and so segments) covers every group with a ratio and a channel to remove.
      if (ratio <= 0 || prunableChannels(g).length === 0) continue;
      const parts = plan.segment_mode === 'per-segment' ? segmentPartition(g, segments[gi]!) : undefined;
      const count = plannedRemoval(g, parts, ratio, plan.round_to, plan.min_channels);
      if (count === 0) continue;
      const scores = criterion.score(g, ctx!, {
        reduction: plan.reduction,
        normalization: plan.normalization,
      });
      list = parts
        ? selectPerSegment(g, parts, scores, ratio, plan.round_to, plan.min_channels)
        : selectRemoval(g, segments[gi]!, scores, count, plan.min_channels);
    }
    if (list.length === 0) continue;
    channels[g.id] = list;
    for (const i of list) removed.add(g.components[i]!);
  }

  const pruned = removeComponents(cg, removed);
  const { global_ratio: _g, stages: _s, modules: _m, groups: _gr, ...rest } = plan;
  const applied: Plan = { ...rest, channels, applied_from: plan.applied_from ?? planInput };
  return {
    model: pruned,
    applied,
    groups: gs.groups.length,
    frozen: gs.frozen,
    removedChannels: removed.size,
  };
}
