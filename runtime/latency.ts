import { PAD_VALUE } from '../core/preprocess';
import type { DetectorSession } from './inference';

export interface LatencyOptions {
  readonly batch: number;
  readonly imgsz: number;
  readonly warmup: number;
  readonly runs: number;
}

export interface LatencyResult extends LatencyOptions {
  readonly ep: string;
  readonly threads: number | null;
  /** Per-run wall times of `session.run` in ms, in run order. */
  readonly samplesMs: readonly number[];
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly meanMs: number;
  readonly minMs: number;
  /** Images per second at the median latency. */
  readonly throughputIps: number;
}

/** Median (mean of the two middle values for an even count) and nearest-rank percentiles. */
export function summarizeSamples(samples: readonly number[]): {
  median: number;
  p90: number;
  mean: number;
  min: number;
} {
  if (samples.length === 0) throw new RangeError('no samples');
  const s = [...samples].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
  const p90 = s[Math.min(n - 1, Math.ceil(0.9 * n) - 1)]!;
  return { median, p90, mean: s.reduce((a, b) => a + b, 0) / n, min: s[0]! };
}

/**
 * Inference latency of one batch: `warmup` untimed runs (allocator, kernel selection, caches), then
 * `runs` timed ones. The input is the letterbox gray; a CNN's cost does not depend on pixel values.
 */
export async function benchmarkLatency(
  detector: DetectorSession,
  options: LatencyOptions,
): Promise<LatencyResult> {
  const { batch, imgsz, warmup, runs } = options;
  if (!(runs >= 1 && warmup >= 0 && batch >= 1 && imgsz >= 32))
    throw new RangeError(`invalid benchmark options ${JSON.stringify(options)}`);
  const input = new Float32Array(batch * 3 * imgsz * imgsz).fill(PAD_VALUE / 255);
  for (let i = 0; i < warmup; i++) await detector.run(input, batch, imgsz);
  const samplesMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await detector.run(input, batch, imgsz);
    samplesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const s = summarizeSamples(samplesMs);
  return {
    ...options,
    ep: detector.config.ep,
    threads: detector.config.intraOpThreads ?? null,
    samplesMs,
    medianMs: s.median,
    p90Ms: s.p90,
    meanMs: s.mean,
    minMs: s.min,
    throughputIps: (batch * 1000) / s.median,
  };
}
