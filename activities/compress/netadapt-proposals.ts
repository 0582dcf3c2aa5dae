import type { ArtifactRef } from '../../common/artifact-ref';
import { LatencyTableSchema, predictLatency, unitLatency } from '../../core/latency/latency-table';
import { decodeModel } from '../../core/onnx';
import { buildChannelGraph } from '../../core/pruning/dependency/channel-graph';
import { buildGroups, prunableChannels } from '../../core/pruning/groups';
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
    const current: Record<string, number> = {};
    const floor = new Map<string, number>();
    for (const g of gs.groups) {
      if (!table.units[g.id]) continue;
      current[g.id] = g.components.length;
      floor.set(g.id, Math.max(input.roundTo, g.components.length - prunableChannels(g).length));
    }
    const { proposals, decrementMs } = proposeCutsWithin(
      {
        predict: (widths) => predictLatency(table, widths),
        // Widths the table measured, plus every multiple of round_to between (interpolated).
        widthsOf: (unit) => {
          const u = table.units[unit]!;
          const out: number[] = [];
          for (let w = u.full - input.roundTo; w >= (floor.get(unit) ?? input.roundTo); w -= input.roundTo)
            if (unitLatency(table, unit, w) < table.baseMs) out.push(w);
          return out;
        },
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
          layers: { [p.unit]: 1 - p.to / p.from },
        },
      })),
    };
  };
}
