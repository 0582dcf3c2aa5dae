// A latency budget, planned through FLOPs. Latency is measured (the baseline evaluation's median, batch 1,
// on the evaluation provider), then treated as proportional to FLOPs to get the reduction to plan for. The
// proxy ignores fixed per-inference costs, so it tends to under-prune; the compressed model's latency is
// measured again and the run reports whether the budget was met.

import type { ReductionTarget } from './reduction-target';
import { PlanError } from './errors';

export interface PlanTargets extends ReductionTarget {
  latencyMs?: number;
}

export interface ResolvedTarget extends ReductionTarget {
  /** Set when the FLOPs reduction came from (or was raised by) the latency budget. */
  fromLatency?: { budgetMs: number; baselineMs: number; flopsReduction: number };
}

/**
 * The FLOPs/params reduction a planner should meet: the named ones, with a latency budget turned into a FLOPs
 * reduction of 1 − budget / baseline (the larger of the two FLOPs figures wins). A budget the baseline already
 * meets adds nothing.
 */
export function resolveTarget(target: PlanTargets, baselineLatencyMs?: number): ResolvedTarget {
  const { latencyMs, ...reductions } = target;
  if (latencyMs === undefined) return reductions;
  if (!(baselineLatencyMs !== undefined && baselineLatencyMs > 0))
    throw new PlanError(
      'PLAN_TARGET_INVALID',
      'a latency budget needs the measured baseline latency (evaluation latencyRuns > 0)',
    );
  const fromLatency = 1 - latencyMs / baselineLatencyMs;
  if (fromLatency <= 0) return reductions;
  if (fromLatency >= 0.95)
    throw new PlanError(
      'PLAN_TARGET_UNREACHABLE',
      `the latency budget ${latencyMs} ms is under 5% of the measured baseline ${baselineLatencyMs.toFixed(2)} ms`,
    );
  const flopsReduction = Math.max(reductions.flopsReduction ?? 0, fromLatency);
  return {
    ...reductions,
    flopsReduction,
    fromLatency: { budgetMs: latencyMs, baselineMs: baselineLatencyMs, flopsReduction: fromLatency },
  };
}
