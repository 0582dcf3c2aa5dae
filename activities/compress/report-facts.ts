// The report's derived facts, from the workflow result and the evaluations: metrics rows with their latency
// spread and per-class AP, whether each target was met, the part bounds the kept channels are drawn
// against, and every evaluated model for the Pareto plot. Plain functions of their arguments.

import { describeSplit, SELECTION_UNUSED } from '../../common/data-split';
import type { CompressModelOptions, RunOptions } from '../../common/compress-input';
import type { CompressModelResult, ModelMetrics } from '../../common/compress-result';
import { REVIEW_PART_BOUNDS, type SensitivityPoint } from '../../core/planning';
import type { ParetoPoint, RunReport, SearchTrajectory } from '../../core/report';
import { DEFAULT_STAGES } from '../../core/pruning/plan/parse-plan';
import type { ClassAp } from '../../runtime/report/detection-examples';
import type { EvaluateModelResult } from './evaluate-model';

type ReportMetrics = RunReport['before'];

export function metricsForReport(
  m: ModelMetrics,
  evaluation: EvaluateModelResult | undefined,
  perClassFallback?: ClassAp[],
): ReportMetrics {
  const perClass = evaluation?.per_class ?? perClassFallback;
  return {
    params: m.params,
    flops: m.flops,
    latency_ms: m.latency_ms,
    map50_95: m.map50_95,
    map50: m.map50,
    // Only a spread measured with this very median belongs next to it.
    ...(evaluation?.latency && evaluation.latency_ms === m.latency_ms ? { latency: evaluation.latency } : {}),
    ...(perClass ? { per_class: perClass } : {}),
  };
}

/** Each target the input named, checked on the delivered model as measured (the latency one on its median). */
export function targetMet(
  target: CompressModelOptions['target'],
  result: CompressModelResult,
): RunReport['target_met'] {
  const after = result.after ?? result.before;
  // Exact statistics: a reduction met "to the last FLOP" must not fail on float rounding of the fraction.
  const meets = (k: 'flops' | 'params', r: number) => after[k] <= result.before[k] * (1 - r) * (1 + 1e-9);
  const out: NonNullable<RunReport['target_met']> = {};
  if (target.flopsReduction !== undefined) out.flops = meets('flops', target.flopsReduction);
  if (target.paramsReduction !== undefined) out.params = meets('params', target.paramsReduction);
  if (target.latencyMs !== undefined)
    out.latency = result.latencyTargetMet ?? after.latency_ms <= target.latencyMs;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The staged plan's per-part ratios as applied (scaled to the target), else the default staged ratios. */
export function stageBounds(
  planner: CompressModelOptions['planner'],
  result: CompressModelResult,
): NonNullable<RunReport['stage_bounds']> {
  const staged = planner.kind === 'staged' ? planner.stages : DEFAULT_STAGES;
  const k = planner.kind === 'staged' ? (result.planned?.scale ?? 1) : 1;
  const clamp = (v: number) => Math.min(1, Math.max(0, v * k));
  return {
    staged: { backbone: clamp(staged.backbone), neck: clamp(staged.neck), head: clamp(staged.head) },
    review: { ...REVIEW_PART_BOUNDS },
  };
}

export function paretoPoints(
  result: CompressModelResult,
  options: RunOptions,
  scanPoints: readonly SensitivityPoint[] | undefined,
  search: readonly SearchTrajectory[] | undefined,
): ParetoPoint[] {
  const split = describeSplit(options.splits.evaluation);
  const latency = (m: ModelMetrics) => (m.latency_ms > 0 ? { latency_ms: m.latency_ms } : {});
  const named = (
    label: string,
    source: ParetoPoint['source'],
    m: ModelMetrics,
    chosen = false,
  ): ParetoPoint => ({
    label,
    source,
    flops: m.flops,
    ...latency(m),
    map50_95: m.map50_95,
    split,
    chosen,
  });
  const out: ParetoPoint[] = [named('original', 'baseline', result.before)];
  if (result.pruned) out.push(named('pruned, before fine-tuning', 'pruned', result.pruned));
  if (result.after) out.push(named('delivered', 'final', result.after, true));
  const selection = `selection: ${options.splits.selection ? describeSplit(options.splits.selection) : SELECTION_UNUSED}`;
  for (const p of scanPoints ?? [])
    out.push({
      label: `${p.unit} at ${p.ratio}`,
      source: 'scan',
      flops: p.flops,
      map50_95: p.map50_95,
      split: selection,
      chosen: false,
    });
  for (const t of search ?? [])
    for (const p of t.points) {
      if (p.map50_95 === undefined || (p.flops === undefined && p.latencyMs === undefined)) continue;
      out.push({
        label: `${t.kind} ${p.step}${p.label ? ` (${p.label})` : ''}`,
        source: 'search',
        ...(p.flops !== undefined ? { flops: p.flops } : {}),
        ...(p.latencyMs !== undefined ? { latency_ms: p.latencyMs } : {}),
        map50_95: p.map50_95,
        split: `${t.kind} search`,
        chosen: false,
      });
    }
  return out;
}
