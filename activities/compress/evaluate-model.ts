import { readFileSync } from 'node:fs';
import type { ArtifactRef } from '../../common/artifact-ref';
import type { ModelMetrics } from '../../common/compress-result';
import { decodeModel } from '../../core/onnx';
import { computeStats } from '../../core/stats';
import { evaluateModel as evaluateOnDataset } from '../../runtime/evaluate';
import { openDetector } from '../../runtime/inference';
import { benchmarkLatency } from '../../runtime/latency';
import { memoized, type PipelineDeps } from './context';
import { subsetSplit } from './dataset-subset';
import { loadManifest } from './import-inputs';

export interface EvaluateModelInput {
  model: ArtifactRef;
  dataset: ArtifactRef;
  split: string;
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
}

/** mAP on a split, CPU/GPU latency (median, batch 1) and params/FLOPs of one model. */
export function evaluateModel(deps: PipelineDeps) {
  return (input: EvaluateModelInput): Promise<EvaluateModelResult> =>
    memoized(deps, 'evaluateModel', input, async () => {
      const file = await deps.cache.file(input.model);
      const dataDir = await deps.cache.dataset(await loadManifest(deps, input.dataset));
      const split = subsetSplit(dataDir, input.split, input.maxImages);
      const session = {
        ep: input.provider,
        graphOptimizationLevel: 'all' as const,
        ...(input.threads ? { intraOpThreads: input.threads, interOpThreads: 1 } : {}),
      };
      const evaluation = await evaluateOnDataset({
        model: file,
        data: dataDir,
        split,
        imgsz: input.imgsz,
        session,
      });
      const imgsz = evaluation.imgsz;
      let latencyMs = 0;
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
        } finally {
          await detector.release();
        }
      }
      const stats = computeStats(decodeModel(readFileSync(file)), { imgsz });
      return {
        params: stats.params,
        flops: stats.flops,
        latency_ms: latencyMs,
        map50_95: evaluation.metrics.map50_95,
        map50: evaluation.metrics.map50,
        images: evaluation.images,
        seconds: evaluation.seconds,
      };
    });
}
