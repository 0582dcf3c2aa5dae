import { readFileSync } from 'node:fs';
import type { ArtifactRef } from '../../common/artifact-ref';
import type { ModelMetrics } from '../../common/compress-result';
import { decodeModel } from '../../core/onnx';
import { computeStats } from '../../core/stats';
import { evaluateModel as evaluateOnDataset } from '../../runtime/evaluate';
import { openDetector } from '../../runtime/inference';
import { benchmarkLatency } from '../../runtime/latency';
import { memoized, type PipelineDeps } from './context';
import { loadManifest } from './import-inputs';
import type { DataSplit } from '../../common/data-split';

export interface EvaluateModelInput {
  model: ArtifactRef;
  dataset: ArtifactRef;
  split: DataSplit;
  imgsz?: number;
  provider: 'cpu' | 'cuda';
  maxImages?: number;
  /** 0 skips the latency benchmark (sensitivity-scan evaluations). */
  latencyRuns: number;
  /** onnxruntime intra-op threads; default onnxruntime's choice. Scans use 1 so activities scale across workers. */
  threads?: number;
}

export interface EvaluateModelResult extends ModelMetrics {
  images: number;
  seconds: number;
  /** The spread of the timed runs behind `latency_ms` (absent when latency was not measured). */
  latency?: {
    runs: number;
    median_ms: number;
    p90_ms: number;
    min_ms: number;
    max_ms: number;
    mean_ms: number;
  };
  /** AP per class on the split (null: no ground truth of that class there), for the report. */
  per_class?: { name: string; ap50_95: number | null; ap50: number | null }[];
}

/** mAP on a split, CPU/GPU latency (median, batch 1) and params/FLOPs (deploy form) of one model. */
export function evaluateModel(deps: PipelineDeps) {
  return (input: EvaluateModelInput): Promise<EvaluateModelResult> =>
    memoized(deps, 'evaluateModel', input, async () => {
      const file = await deps.cache.file(input.model);
      const dataDir = await deps.cache.dataset(await loadManifest(deps, input.dataset));
      const session = {
        ep: input.provider,
        graphOptimizationLevel: 'all' as const,
        ...(input.threads ? { intraOpThreads: input.threads, interOpThreads: 1 } : {}),
      };
      const evaluation = await evaluateOnDataset({
        model: file,
        data: dataDir,
        split: input.split,
        // The first maxImages of the split, in any layout (VOC, YOLO, COCO): scans and demo budgets.
        limit: input.maxImages,
        imgsz: input.imgsz,
        session,
      });
      const imgsz = evaluation.imgsz;
      let latencyMs = 0;
      let latency: EvaluateModelResult['latency'];
      if (input.latencyRuns > 0) {
        const detector = await openDetector(file, session);
        try {
          const lat = await benchmarkLatency(detector, {
            batch: 1,
            imgsz,
            warmup: 3,
            runs: input.latencyRuns,
          });
          latencyMs = lat.medianMs;
          latency = {
            runs: lat.samplesMs.length,
            median_ms: lat.medianMs,
            p90_ms: lat.p90Ms,
            min_ms: lat.minMs,
            max_ms: Math.max(...lat.samplesMs),
            mean_ms: lat.meanMs,
          };
        } finally {
          await detector.release();
        }
      }
      // Deploy form whatever the file's form: the train-form original and pruned models and the deploy-form
      // delivered one are compared row by row (a train-form count would add the BN's FLOPs to one side only).
      const stats = computeStats(decodeModel(readFileSync(file)), { imgsz, form: 'deploy' });
      return {
        params: stats.params,
        flops: stats.flops,
        latency_ms: latencyMs,
        map50_95: evaluation.metrics.map50_95,
        map50: evaluation.metrics.map50,
        images: evaluation.images,
        seconds: evaluation.seconds,
        ...(latency ? { latency } : {}),
        per_class: evaluation.classNames.map((name, i) => ({
          name,
          ap50_95: evaluation.metrics.perClassAp[i] ?? null,
          ap50: evaluation.metrics.perClassAp50[i] ?? null,
        })),
      };
    });
}
