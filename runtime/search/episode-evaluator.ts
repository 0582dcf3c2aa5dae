// Evaluates AMC episodes fast: one per activity, hundreds per search. Per worker process it keeps the
// decoded model being searched (decoding yolov8n takes longer than pruning it), the letterboxed reward
// images (an InputCache: no JPEG decode after the first episode) and the BN calibration images. Each episode
// prunes the model with its plan, optionally re-estimates BN statistics, writes the model to a scratch file
// and evaluates it on the held-out subset with a one-thread session (many workers' episodes run side by side).
// Graph optimisation `all` (onnxruntime folds BN into the convs, fuses activations): bench/amc-episode-cost.ts
// measured it faster than `basic` per episode even counting the longer session creation.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeModel, type Model } from '../../core/onnx';
import { letterboxGeometry, letterboxInto } from '../../core/preprocess';
import type { PlanInput } from '../../core/pruning/plan/plan-schema';
import { pruneModel } from '../../core/pruning/prune-model';
import { computeStats } from '../../core/stats';
import { loadDataset } from '../datasets';
import { evaluateModel } from '../evaluate';
import { decodeImageFile } from '../images';
import { InputCache } from '../input-cache';
import type { CalibrationImage } from '../pruning/activations';
import type { SessionConfig } from '../inference';
import { recalibrateBatchNorm } from './bn-recalibration';
import type { DataSplit } from '../../common/data-split';

export interface EpisodeEvaluation {
  map50_95: number;
  map50: number;
  flops: number;
  params: number;
  /** Where the episode's time went, ms. */
  timings: {
    prune: number;
    stats: number;
    bn: number;
    write: number;
    /** The whole evaluation, and inside it: session creation and dataset listing, session.run calls, NMS. */
    evaluate: number;
    session: number;
    inference: number;
    postprocess: number;
    total: number;
  };
}

export interface EpisodeJob {
  /** The decoded model and a stable key for it (its sha256). */
  model: Model;
  modelKey: string;
  plan: PlanInput;
  dataDir: string;
  split: DataSplit;
  imgsz: number;
  /** Reward images: the first `calibrationImages` of the split. */
  calibrationImages: number;
  /** BN calibration images: the `bnImages` after the reward subset (0: no re-estimation). */
  bnImages: number;
  threads: number;
  graphOptimization?: SessionConfig['graphOptimizationLevel'];
  scratchDir: string;
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

export class EpisodeEvaluator {
  readonly inputs: InputCache;
  private readonly calibration = new Map<string, Promise<CalibrationImage[]>>();

  constructor(cacheBytes = 512 * 1024 * 1024) {
    this.inputs = new InputCache(cacheBytes);
  }

  async evaluate(job: EpisodeJob): Promise<EpisodeEvaluation> {
    const t0 = now();
    let pruned = (await pruneModel(job.model, job.plan)).model;
    const t1 = now();
    const stats = computeStats(pruned, { imgsz: job.imgsz, form: 'deploy' });
    const t2 = now();
    if (job.bnImages > 0) {
      const images = await this.calibrationImages(job);
      pruned = (await recalibrateBatchNorm(pruned, images, { threads: job.threads })).model;
    }
    const t3 = now();
    const dir = mkdtempSync(path.join(job.scratchDir, 'episode-'));
    try {
      const file = path.join(dir, 'model.onnx');
      writeFileSync(file, encodeModel(pruned));
      const t4 = now();
      const result = await evaluateModel({
        model: file,
        data: job.dataDir,
        split: job.split,
        limit: job.calibrationImages,
        imgsz: job.imgsz,
        cache: this.inputs,
        session: {
          ep: 'cpu',
          intraOpThreads: job.threads,
          interOpThreads: 1,
          graphOptimizationLevel: job.graphOptimization ?? 'all',
        },
      });
      const t5 = now();
      return {
        map50_95: result.metrics.map50_95,
        map50: result.metrics.map50,
        flops: stats.flops,
        params: stats.params,
        timings: {
          prune: t1 - t0,
          stats: t2 - t1,
          bn: t3 - t2,
          write: t4 - t3,
          evaluate: t5 - t4,
          session: result.timings.setupMs,
          inference: result.timings.inferenceMs,
          postprocess: result.timings.postprocessMs + result.timings.metricsMs,
          total: t5 - t0,
        },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** The BN images (letterboxed like the evaluator's inputs), loaded once per (data, split, range, size). */
  private calibrationImages(job: EpisodeJob): Promise<CalibrationImage[]> {
    const key = `${job.dataDir}\0${JSON.stringify(job.split)}\0${job.calibrationImages}\0${job.bnImages}\0${job.imgsz}`;
    let images = this.calibration.get(key);
    if (!images) {
      images = loadCalibration(job);
      images.catch(() => this.calibration.delete(key));
      this.calibration.set(key, images);
    }
    return images;
  }
}

async function loadCalibration(job: EpisodeJob): Promise<CalibrationImage[]> {
  const loaded = await loadDataset(job.dataDir, {
    split: job.split,
    policy: 'skip',
    limit: job.calibrationImages + job.bnImages,
  });
  const files = loaded.dataset.images.slice(job.calibrationImages, job.calibrationImages + job.bnImages);
  const size = job.imgsz;
  return Promise.all(
    files.map(async (im) => {
      const img = await decodeImageFile(loaded.resolveImage(im.file), im.file);
      const data = new Float32Array(3 * size * size);
      letterboxInto(img.data, letterboxGeometry(img.width, img.height, size), data, 0);
      return { dims: [1, 3, size, size], data };
    }),
  );
}
