import type { ArtifactRef } from '../../common/artifact-ref';
import { LatencyTableSchema, predictLatency, unitLatency } from '../../core/latency/latency-table';
import { decodeModel } from '../../core/onnx';
import { buildChannelGraph } from '../../core/pruning/dependency/channel-graph';
import { buildGroups } from '../../core/pruning/groups';
import { reachableWidths } from '../../core/pruning/plan/reachable-widths';
import type { PlanInput } from '../../core/pruning/plan/plan-schema';
import { proposeCutsWithin, type Proposal } from '../../core/search/netadapt';
import type { PipelineDeps } from './context';

export interface NetAdaptProposalInput {
  /** The current model (the last iteration's). */
  model: ArtifactRef;
  table: ArtifactRef;
  decrementMs: number;
  topK: number;
  criterion: string;
  roundTo: number;
}

export interface NetAdaptProposals {
  /** What the table predicts for the current model. */
  predictedMs: number;
  /** The decrement the proposals meet: the one asked for, or a fraction of it no single unit could reach. */
  decrementMs: number;
  proposals: (Proposal & { plan: PlanInput })[];
}

/**
 * NetAdapt's proposals for the current model: every prunable group's smallest cut that lowers the predicted
 * latency by the decrement, the `topK` cheapest per channel, each with the plan that makes it.
 */
export function netAdaptProposals(deps: PipelineDeps) {
  return async (input: NetAdaptProposalInput): Promise<NetAdaptProposals> => {
    const [modelBytes, tableBytes] = await Promise.all([
      deps.store.get(input.model),
      deps.store.get(input.table),
    ]);
    const table = LatencyTableSchema.parse(JSON.parse(new TextDecoder().decode(tableBytes)));
    const gs = buildGroups(buildChannelGraph(decodeModel(modelBytes)));
    // The widths the engine can cut each unit to, with the ratio that gives each: a proposal's plan must
    // make exactly the width the table priced.
    const reachable = reachableWidths(gs, input.roundTo, input.roundTo);
    const current: Record<string, number> = {};
    for (const g of gs.groups)
      if (table.units[g.id] && reachable.has(g.id)) current[g.id] = g.components.length;
    const ratioOf = (unit: string, width: number) =>
      reachable.get(unit)!.find((r) => r.width === width)!.ratio;
    const { proposals, decrementMs } = proposeCutsWithin(
      {
        predict: (widths) => predictLatency(table, widths),
        // Every reachable width the table prices below the base (interpolated between measured ones).
        widthsOf: (unit) =>
          reachable
            .get(unit)!
            .map((r) => r.width)
            .filter((w) => unitLatency(table, unit, w) < table.baseMs),
      },
      current,
      input.decrementMs,
      // Below the base measurement's spread (or 0.5% of it) a predicted saving is not a measurable one.
      Math.max(table.noiseMs, 0.005 * table.baseMs),
      { topK: input.topK },
    );
    return {
      predictedMs: predictLatency(table, current),
      decrementMs,
      proposals: proposals.map((p) => ({
        ...p,
        plan: {
          criterion: input.criterion as PlanInput['criterion'],
          round_to: input.roundTo,
          min_channels: input.roundTo,
          groups: { [p.unit]: ratioOf(p.unit, p.to) },
        },
      })),
    };
  };
}
