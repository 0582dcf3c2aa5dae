// The run report in JSON form: what `writeReport` stores next to the Markdown and plots, and what the workflow
// result and the CLI's `--json` summarise. Field names are snake_case like the rest of the JSON the product
// prints (`run_id`, `latency_ms`, `map50_95`).

import { z } from 'zod';
import type { StageRanking } from '../planning/rank-sensitivity';
import type { ModelStats } from '../stats/model-stats';
import type { LayerRatio } from './ratios-svg';

const count = z.number().finite().nonnegative();
const CostSchema = z.object({ params: count, flops: count });
const StageCostsSchema = z.object({ backbone: CostSchema, neck: CostSchema, head: CostSchema });

export const ModelMetricsSchema = z.object({
  params: count,
  flops: count,
  /** Mean CPU latency per image, ms (the `bench` measurement). */
  latency_ms: count,
  map50_95: z.number().finite(),
  map50: z.number().finite(),
});

/** Plots are linked from the Markdown by plain relative file names next to it, never paths out of the run. */
const relativeFile = z
  .string()
  .min(1)
  .refine((s) => !s.startsWith('/') && !s.includes('..') && !s.includes('://'), 'a relative file name');

export const LayerRatioSchema = z.object({
  name: z.string(),
  stage: z.string(),
  before: count,
  after: count,
});

export const RunReportSchema = z.object({
  version: z.literal(1).default(1),
  run_id: z.string().min(1),
  input: z.object({
    model: z.string().min(1),
    dataset: z.string().optional(),
    planner: z.string().min(1),
    criterion: z.string().min(1),
    granularity: z.string().optional(),
    target: z
      .object({
        flops_reduction: z.number().optional(),
        params_reduction: z.number().optional(),
        latency_ms: z.number().optional(),
      })
      .strict(),
  }),
  /** Wall time of each pipeline step in run order; `reused` when a retry found its output already stored. */
  steps: z.array(z.object({ name: z.string().min(1), wall_s: count, reused: z.boolean().optional() })),
  before: ModelMetricsSchema,
  after: ModelMetricsSchema,
  /** Per-stage cost before and after (ModelStats.stages of both models). */
  stages: z.object({ before: StageCostsSchema, after: StageCostsSchema }).optional(),
  /** What the plan was made to meet (a latency budget appears as a FLOPs reduction), and whether it was. */
  planned: z
    .object({
      flops_reduction: z.number().optional(),
      params_reduction: z.number().optional(),
      /** Fixed-ratio planners: the factor every ratio was multiplied by. */
      scale: z.number().optional(),
      /** Sensitivity planner: the reductions its additive allocation was asked for to meet the target exactly. */
      allocated_for: z
        .object({ flops_reduction: z.number().optional(), params_reduction: z.number().optional() })
        .optional(),
      latency: z.object({ budget_ms: count, baseline_ms: count, met: z.boolean().optional() }).optional(),
    })
    .optional(),
  /** The planner's additive prediction, to set against the measured result. */
  predicted: z.object({ map50_95: z.number(), flops: count, params: count }).optional(),
  sensitivity: z
    .object({
      by: z.enum(['ratio', 'flops']),
      stage_order: z.array(z.enum(['backbone', 'neck', 'head'])),
      groups: z.array(
        z.object({
          group: z.string(),
          units: z.array(z.string()),
          mean_drop: z.number(),
          sensitivity: z.number(),
        }),
      ),
      matches_pruned_yolo: z.boolean(),
    })
    .optional(),
  layers: z.array(LayerRatioSchema).optional(),
  plots: z.object({ sensitivity: relativeFile.optional(), ratios: relativeFile.optional() }),
  /** Artifact key of the applied plan (explicit channel lists), which replays the exact pruning. */
  plan_key: z.string().min(1),
});

export type RunReport = z.output<typeof RunReportSchema>;
export type RunReportInput = z.input<typeof RunReportSchema>;
export type ModelMetrics = z.output<typeof ModelMetricsSchema>;
export type ReportStageCosts = z.output<typeof StageCostsSchema>;

// The report's stage costs are exactly ModelStats' (core/stats), and its layers what renderRatiosSvg draws.
const _stagesFit: ReportStageCosts = {} as ModelStats['stages'];
const _layersFit: LayerRatio = {} as z.output<typeof LayerRatioSchema>;

/** The JSON form of a sensitivity ranking (planning's rankStages) for `RunReport.sensitivity`. */
export function sensitivityForReport(r: StageRanking): NonNullable<RunReport['sensitivity']> {
  return {
    by: r.by,
    stage_order: [...r.order],
    groups: r.groups.map((g) => ({
      group: g.group,
      units: [...g.units],
      mean_drop: g.meanDrop,
      sensitivity: g.sensitivity,
    })),
    matches_pruned_yolo: r.matchesPrunedYolo,
  };
}

/** Per-stage costs from two ModelStats (before and after pruning). */
export function stageCostsForReport(before: ModelStats, after: ModelStats): NonNullable<RunReport['stages']> {
  const pick = (s: ModelStats): ReportStageCosts => ({
    backbone: { ...s.stages.backbone },
    neck: { ...s.stages.neck },
    head: { ...s.stages.head },
  });
  return { before: pick(before), after: pick(after) };
}
