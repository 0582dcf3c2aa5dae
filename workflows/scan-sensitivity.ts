import { defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CriterionInputs } from '../common/criterion-inputs';
import type { ArtifactRef } from '../common/artifact-ref';
import { forEachConcurrent } from '../core/for-each-concurrent';
import type { Granularity } from '../core/planning/unit-plans';
import { shortActivity, evaluationActivity } from './activity-options';
import type { DataSplit } from '../common/data-split';
import type { FanOutProgress } from '../common/progress-details';

export interface ScanSensitivityInput {
  model: ArtifactRef;
  dataset: ArtifactRef;
  ratios: number[];
  criterion: string;
  roundTo: number;
  split: DataSplit;
  imgsz?: number;
  calibrationImages: number;
  concurrency: number;
  taskQueue: string;
  criterionInputs?: CriterionInputs;
  /** The units: modules (default), dependency groups (`group`) or droppable blocks (`block`). */
  granularity?: Granularity;
}

/** Points scanned so far, for the CLI's progress line (queries leave no trace in the history). */
export const scanProgressQuery = defineQuery<FanOutProgress>('scanProgress');

export type SensitivityPointResult = Awaited<ReturnType<Activities['scanUnit']>>;

export interface ScanSensitivityResult {
  baseline: { map50_95: number; map50: number; flops: number; params: number };
  points: SensitivityPointResult[];
  units: number;
}

/**
 * Prunes every unit alone at every ratio and evaluates it on the calibration subset: a fan-out of
 * `scanUnit` activities, at most `concurrency` in flight, served by however many cpu workers poll the queue.
 */
export async function scanSensitivity(input: ScanSensitivityInput): Promise<ScanSensitivityResult> {
  const short = proxyActivities<Activities>({ ...shortActivity, taskQueue: input.taskQueue });
  const evaluation = proxyActivities<Activities>({ ...evaluationActivity, taskQueue: input.taskQueue });
  const scanned: FanOutProgress = { done: 0, total: 0 };
  setHandler(scanProgressQuery, () => scanned);

  const [units, baseline] = await Promise.all([
    short.listPrunableUnits({ model: input.model, granularity: input.granularity ?? 'module' }),
    evaluation.evaluateModel({
      model: input.model,
      dataset: input.dataset,
      split: input.split,
      imgsz: input.imgsz,
      provider: 'cpu',
      maxImages: input.calibrationImages,
      latencyRuns: 0,
      threads: 1,
    }),
  ]);
  // A block is kept or dropped: one point per block (ratio 1), not a curve.
  const ratios = input.granularity === 'block' ? [1] : input.ratios;
  const jobs = units.flatMap((u) => ratios.map((ratio) => ({ ...u, ratio })));
  const points: SensitivityPointResult[] = new Array(jobs.length);
  scanned.total = jobs.length;
  await forEachConcurrent(
    jobs.map((job, i) => ({ job, i })),
    input.concurrency,
    async ({ job, i }) => {
      points[i] = await evaluation.scanUnit({
        model: input.model,
        dataset: input.dataset,
        unit: job.unit,
        stage: job.stage,
        ratio: job.ratio,
        criterion: input.criterion,
        roundTo: input.roundTo,
        split: input.split,
        imgsz: input.imgsz,
        calibrationImages: input.calibrationImages,
        ...(input.criterionInputs ? { criterionInputs: input.criterionInputs } : {}),
        granularity: input.granularity ?? 'module',
      });
      scanned.done++;
    },
  );
  return {
    baseline: {
      map50_95: baseline.map50_95,
      map50: baseline.map50,
      flops: baseline.flops,
      params: baseline.params,
    },
    points,
    units: units.length,
  };
}
