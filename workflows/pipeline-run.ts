// The bookkeeping of one compressModel run: the `progress` query's state, the stage search attribute, wall
// seconds per stage, and the failed state when a stage throws. Deterministic (workflow code).

import { upsertSearchAttributes } from '@temporalio/workflow';
import type { CompressProgress, ModelMetrics, PipelineStage } from '../common/compress-result';
import { searchKeys } from '../common/search-attributes';

/** Rough share of the run each stage ends at, for the progress bar. */
const STAGE_PERCENT: Record<PipelineStage, number> = {
  starting: 0,
  importing: 2,
  'evaluating-baseline': 8,
  sparsifying: 15,
  'scoring-importance': 17,
  planning: 32,
  'awaiting-approval': 33,
  pruning: 38,
  'evaluating-pruned': 40,
  finetuning: 85,
  exporting: 88,
  'evaluating-final': 96,
  quantizing: 97,
  'evaluating-int8': 98,
  reporting: 99,
  done: 100,
  failed: 100,
};

export function metricsOf(m: ModelMetrics): ModelMetrics {
  return { params: m.params, flops: m.flops, latency_ms: m.latency_ms, map50_95: m.map50_95, map50: m.map50 };
}

export class PipelineRun {
  readonly progress: CompressProgress = { stage: 'starting', percent: 0, message: 'starting' };
  readonly stepSeconds: Record<string, number> = {};

  /** Marks the stage (query, search attribute), runs it, and records its wall time. */
  async stage<T>(stage: PipelineStage, message: string, fn: () => Promise<T>): Promise<T> {
    this.enter(stage, message);
    const t0 = Date.now();
    const out = await fn();
    this.stepSeconds[stage] = (this.stepSeconds[stage] ?? 0) + (Date.now() - t0) / 1000;
    this.progress.percent = STAGE_PERCENT[stage];
    return out;
  }

  enter(stage: PipelineStage, message: string): void {
    this.progress.stage = stage;
    this.progress.message = message;
    upsertSearchAttributes([{ key: searchKeys.stage, value: stage }]);
  }

  done(): void {
    this.enter('done', 'done');
    this.progress.percent = 100;
  }

  /** A stage threw: the query and the search attribute say `failed` (and where), then the error goes on. */
  failed(err: unknown): void {
    const at = this.progress.stage;
    const why = err instanceof Error ? err.message : String(err);
    this.enter('failed', `failed while ${at}: ${why}`);
    this.progress.percent = 100;
  }
}
