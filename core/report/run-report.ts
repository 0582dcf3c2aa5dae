// The run report in JSON form: what `writeReport` stores next to the Markdown and plots, and what the workflow
// result and the CLI's `--json` summarise. Field names are snake_case like the rest of the JSON the product
// prints (`run_id`, `latency_ms`, `map50_95`).

import { z } from 'zod';
import type { PartRanking } from '../planning/rank-sensitivity';
import { SensitivityBaselineSchema, SensitivityCurveSchema } from '../planning/sensitivity-types';
import type { ModelStats } from '../stats/model-stats';
import type { LayerRatio } from './ratios-svg';
import { ReportSearchSchema } from './search-trajectory';
import { FinetuneLossSchema } from './finetune-loss';
import { TrainedDeviceSchema } from './trained-device';
import { NumberFormatSchema } from './number-format';

const count = z.number().finite().nonnegative();
const CostSchema = z.object({ params: count, flops: count });
const PartCostsSchema = z.object({ backbone: CostSchema, neck: CostSchema, head: CostSchema });

/** Plots are linked from the Markdown by plain relative file names next to it, never paths out of the run. */
const relativeFile = z
  .string()
  .min(1)
  .refine((s) => !s.startsWith('/') && !s.includes('..') && !s.includes('://'), 'a relative file name');

/** The spread of the latency samples behind `latency_ms` (one process, one machine, batch 1). */
export const LatencySpreadSchema = z.object({
  runs: z.number().int().positive(),
  median_ms: count,
  p90_ms: count,
  min_ms: count,
  max_ms: count,
  mean_ms: count,
});

/** AP per class on the evaluation split; null for a class without ground truth there. */
export const ClassApSchema = z.object({
  name: z.string(),
  ap50_95: z.number().finite().nullable(),
  ap50: z.number().finite().nullable(),
});

export const ModelMetricsSchema = z.object({
  params: count,
  flops: count,
  /** Median CPU latency per image, ms (the `bench` measurement). */
  latency_ms: count,
  map50_95: z.number().finite(),
  map50: z.number().finite(),
  latency: LatencySpreadSchema.optional(),
  per_class: z.array(ClassApSchema).optional(),
});

const PartRatiosSchema = z.object({
  backbone: z.number().min(0).max(1),
  neck: z.number().min(0).max(1),
  head: z.number().min(0).max(1),
});

/** One model the run evaluated, for the Pareto plot. */
export const ParetoPointSchema = z.object({
  label: z.string().min(1),
  source: z.enum(['baseline', 'pruned', 'final', 'scan', 'search']),
  flops: count.optional(),
  latency_ms: count.optional(),
  map50_95: z.number().finite(),
  /** Where the mAP was measured: scan and search points use the selection split, not the evaluation split. */
  split: z.string().optional(),
  chosen: z.boolean().default(false),
});

const MatchCountsSchema = z.object({
  detections: count,
  matched: count,
  false_positives: count,
  missed: count,
});

/** Test images drawn three times: ground truth, the original's and the compressed model's detections. */
export const DetectionExamplesSchema = z.object({
  split: z.string(),
  iou: z.number(),
  min_score: z.number(),
  class_names: z.array(z.string()),
  /** Images both models ran on (the images shown are the most different of these). */
  images_compared: count,
  images: z.array(
    z.object({
      file: z.string(),
      ground_truth: count,
      original: MatchCountsSchema,
      compressed: MatchCountsSchema,
      panels: z.object({ ground_truth: relativeFile, original: relativeFile, compressed: relativeFile }),
    }),
  ),
});

/**
 * The compressed model's mAP50-95 minus the original's on the evaluation images, and how much of such a
 * difference the choice of images alone produces: a paired bootstrap (both models scored on each resample
 * of the images drawn with replacement). Differences in points of mAP (0.01 = 1 point).
 */
export const MapChangeSchema = z.object({
  metric: z.literal('map50_95'),
  images: z.number().int().positive(),
  observed: z.number().finite(),
  low: z.number().finite(),
  high: z.number().finite(),
  /** Two-sided coverage of [low, high]. */
  level: z.number().gt(0).lt(1),
  resamples: z.number().int().min(2),
  seed: z.number().int(),
  /** Standard deviation of each model's own score over the resamples. */
  sd_original: count,
  sd_compressed: count,
});

/** One role of the run's data: which split it was (in words), how many images, and what the run used it for. */
export const ReportSplitSchema = z.object({
  role: z.enum(['selection', 'finetune', 'evaluation']),
  split: z.string().min(1),
  images: count.optional(),
  use: z.string(),
});

/** A report row for a split role: "64 images held out of trainval (seed 0): 64 images; choices: ...". */
export function describeReportSplit(s: z.output<typeof ReportSplitSchema>): string {
  return `${s.split}${s.images !== undefined ? ` (${s.images} images)` : ''}: ${s.use}`;
}

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
  /** Which images did what (absent in reports written before the selection split). */
  splits: z.array(ReportSplitSchema).optional(),
  /** Wall time of each pipeline step in run order; `reused` when a retry found its output already stored. */
  steps: z.array(z.object({ name: z.string().min(1), wall_s: count, reused: z.boolean().optional() })),
  /**
   * How every row's (and every stage's) params and FLOPs were counted: `deploy` = BN folded into Conv on every
   * side, the train-form original included, so a change is the cut of the model that ships. Absent in reports
   * written before: each model was counted as its file stood (a train-form "before" then carried BN).
   */
  cost_form: z.literal('deploy').optional(),
  before: ModelMetricsSchema,
  /** Right after pruning, before fine-tuning. */
  pruned: ModelMetricsSchema.optional(),
  after: ModelMetricsSchema,
  /** Each target the input named, and whether the compressed model (`after`) meets it as measured. */
  target_met: z
    .object({
      flops: z.boolean().optional(),
      params: z.boolean().optional(),
      latency: z.boolean().optional(),
    })
    .optional(),
  /** The delivered model's INT8 form against it, when the run quantized. */
  number_format: NumberFormatSchema.optional(),
  /** Per-part cost before and after (ModelStats.stages of both models). */
  stages: z.object({ before: PartCostsSchema, after: PartCostsSchema }).optional(),
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
      /** The scan's points per unit and its unpruned baseline (calibration subset), for the curves. */
      baseline: SensitivityBaselineSchema.optional(),
      curves: z.array(SensitivityCurveSchema).optional(),
    })
    .optional(),
  layers: z.array(LayerRatioSchema).optional(),
  /**
   * Reference fractions of channels removed per part, drawn against the kept channels: the staged plan's
   * ratios (as scaled to the target) and the review's upper bounds the sensitivity planner allocates within.
   */
  stage_bounds: z.object({ staged: PartRatiosSchema.optional(), review: PartRatiosSchema }).optional(),
  /** Iterative planners' search trajectories (NetAdapt, AMC, random search). */
  search: z.array(ReportSearchSchema).optional(),
  /** Every model the run evaluated, for the Pareto plot; the one it delivered is `chosen`. */
  pareto: z.array(ParetoPointSchema).optional(),
  finetune_loss: FinetuneLossSchema.optional(),
  /** The device the fine-tune trained on, and whether `device: auto` fell back to the CPU. */
  finetune_device: TrainedDeviceSchema.optional(),
  detections: DetectionExamplesSchema.optional(),
  map_change: MapChangeSchema.optional(),
  /** What the report could not show, and why, one sentence each. */
  missing: z.array(z.string()).optional(),
  plots: z.object({
    sensitivity: relativeFile.optional(),
    ratios: relativeFile.optional(),
    html: relativeFile.optional(),
  }),
  /** Artifact key of the applied plan (explicit channel lists), which replays the exact pruning. */
  plan_key: z.string().min(1),
});

export type RunReport = z.output<typeof RunReportSchema>;
export type RunReportInput = z.input<typeof RunReportSchema>;
export type ModelMetrics = z.output<typeof ModelMetricsSchema>;
/** The numeric columns every model row has. */
export type ScalarMetric = 'params' | 'flops' | 'latency_ms' | 'map50_95' | 'map50';
export type ParetoPoint = z.output<typeof ParetoPointSchema>;
export type DetectionExamples = z.output<typeof DetectionExamplesSchema>;
export type MapChange = z.output<typeof MapChangeSchema>;
export type ReportSplit = z.output<typeof ReportSplitSchema>;
export type ReportPartCosts = z.output<typeof PartCostsSchema>;

// The report's stage costs are exactly ModelStats' (core/stats), and its layers what renderRatiosSvg draws.
const _stagesFit: ReportPartCosts = {} as ModelStats['stages'];
const _layersFit: LayerRatio = {} as z.output<typeof LayerRatioSchema>;

/** A cost row's label, saying the form its figures were counted in when the report records it. */
export function costLabel(r: Pick<RunReport, 'cost_form'>, what: 'Params' | 'FLOPs'): string {
  if (r.cost_form !== 'deploy') return what;
  return what === 'FLOPs' ? 'FLOPs (deploy form, BN folded)' : 'Params (deploy form)';
}

/** The JSON form of a sensitivity ranking (planning's rankParts) for `RunReport.sensitivity`. */
export function sensitivityForReport(r: PartRanking): NonNullable<RunReport['sensitivity']> {
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

/** Per-part costs from two ModelStats (before and after pruning). */
export function partCostsForReport(before: ModelStats, after: ModelStats): NonNullable<RunReport['stages']> {
  const pick = (s: ModelStats): ReportPartCosts => ({
    backbone: { ...s.stages.backbone },
    neck: { ...s.stages.neck },
    head: { ...s.stages.head },
  });
  return { before: pick(before), after: pick(after) };
}
