// One AMC episode's reward (cpu queue, fanned out): the model pruned by the episode's plan, BN statistics
// optionally re-estimated, mAP50-95 on the held-out calibration subset. Memoized by input, so a retried or
// replayed episode is not evaluated twice. The decoded model and the letterboxed images stay in this worker
// process between episodes (runtime/search/episode-evaluator.ts).

import path from 'node:path';
import { mkdirSync, readFileSync } from 'node:fs';
import type { ArtifactRef } from '../../common/artifact-ref';
import { decodeModel, imageInputSize, type Model } from '../../core/onnx';
import type { PlanInput } from '../../core/pruning/plan/plan-schema';
import type { EpisodeResult } from '../../core/search/amc';
import { EpisodeEvaluator, type EpisodeEvaluation } from '../../runtime/search/episode-evaluator';
import { memoized, type PipelineDeps } from './context';
import { loadManifest } from './import-inputs';
import type { DataSplit } from '../../common/data-split';

export interface AmcEpisodeInput {
  episode: number;
  model: ArtifactRef;
  dataset: ArtifactRef;
  plan: PlanInput;
  /** The selection split: reward images are its first `calibrationImages`, BN images the `bnImages` after them. */
  split: DataSplit;
  imgsz?: number;
  calibrationImages: number;
  bnImages: number;
  threads: number;
}

export type AmcEpisodeResult = EpisodeResult & { timings: EpisodeEvaluation['timings'] };

/** One evaluator per worker process: its caches serve every episode this worker runs. */
const evaluator = new EpisodeEvaluator();
const models = new Map<string, Model>();

function decoded(file: string, sha: string): Model {
  let m = models.get(sha);
  if (!m) {
    m = decodeModel(readFileSync(file));
    models.clear(); // one search model at a time per worker is the common case; keep memory flat
    models.set(sha, m);
  }
  return m;
}

export function amcEvaluateEpisode(deps: PipelineDeps) {
  return (input: AmcEpisodeInput): Promise<AmcEpisodeResult> =>
    memoized(deps, 'amcEvaluateEpisode', input, async () => {
      const model = decoded(await deps.cache.file(input.model), input.model.sha256);
      const dataDir = await deps.cache.dataset(await loadManifest(deps, input.dataset));
      const scratchDir = path.join(deps.workDir, 'amc-episodes');
      mkdirSync(scratchDir, { recursive: true });
      const t0 = Date.now();
      const r = await evaluator.evaluate({
        model,
        modelKey: input.model.sha256,
        plan: input.plan,
        dataDir,
        split: input.split,
        imgsz: input.imgsz ?? imageInputSize(model) ?? 640,
        calibrationImages: input.calibrationImages,
        bnImages: input.bnImages,
        threads: input.threads,
        scratchDir,
      });
      return {
        episode: input.episode,
        map50_95: r.map50_95,
        map50: r.map50,
        flops: r.flops,
        params: r.params,
        seconds: (Date.now() - t0) / 1000,
        timings: r.timings,
      };
    });
}
