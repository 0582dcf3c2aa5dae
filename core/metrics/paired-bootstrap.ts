import type { DatasetImage } from '../datasets';
import type { Detections } from '../postprocess';
import { createRandom } from '../yolo/seeded-random';
import { cocoImageOrder, matchCocoImages, summarizeCoco, type CocoMetrics } from './coco-eval';

/**
 * How far a score difference between two detectors on one small test set is from noise: the paired
 * bootstrap over images (resample the images with replacement, score both detectors on the same
 * resample, keep the difference). Paired, because most of a small set's noise is which images it holds,
 * and both detectors see the same ones.
 */
export interface PairedBootstrapResult {
  /** Score of B minus score of A on the images as given. */
  observed: number;
  /** Mean and sample standard deviation of the resampled differences. */
  mean: number;
  sd: number;
  /** Percentile interval of the resampled differences at `level`. */
  low: number;
  high: number;
  level: number;
  resamples: number;
  /** Sample standard deviation of A's and B's own scores over the resamples: one test set's noise. */
  sdA: number;
  sdB: number;
  /** Every resample's difference, in draw order. */
  deltas: Float64Array;
}

export interface PairedBootstrapOptions {
  resamples?: number;
  seed?: number;
  /** Two-sided coverage of the interval, default 0.95. */
  level?: number;
  metric?: (m: CocoMetrics) => number;
}

const sampleSd = (xs: Float64Array, mean: number) => {
  let s = 0;
  for (const x of xs) s += (x - mean) ** 2;
  return xs.length < 2 ? 0 : Math.sqrt(s / (xs.length - 1));
};

/** Linear-interpolated quantile of sorted values (numpy's default). */
function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function pairedBootstrap(
  images: readonly DatasetImage[],
  detectionsA: readonly Detections[],
  detectionsB: readonly Detections[],
  numClasses: number,
  options: PairedBootstrapOptions = {},
): PairedBootstrapResult {
  const steps = pairedBootstrapSteps(images, detectionsA, detectionsB, numClasses, options);
  for (;;) {
    const s = steps.next();
    if (s.done) return s.value;
  }
}

/**
 * The same computation, one resample per step: a caller that must stay responsive (an activity sending
 * heartbeats) yields to its event loop between steps. Yields the number of resamples done.
 */
export function* pairedBootstrapSteps(
  images: readonly DatasetImage[],
  detectionsA: readonly Detections[],
  detectionsB: readonly Detections[],
  numClasses: number,
  options: PairedBootstrapOptions = {},
): Generator<number, PairedBootstrapResult> {
  const n = images.length;
  if (detectionsA.length !== n || detectionsB.length !== n)
    throw new RangeError(
      `pairedBootstrap: ${detectionsA.length} and ${detectionsB.length} detection sets for ${n} images`,
    );
  if (n === 0) throw new RangeError('pairedBootstrap: no images');
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 2)
    throw new RangeError('pairedBootstrap: resamples must be ≥ 2');
  if (!(level > 0 && level < 1)) throw new RangeError('pairedBootstrap: level must be in (0, 1)');
  const metric = options.metric ?? ((m: CocoMetrics) => m.map50_95);
  const random = createRandom(options.seed ?? 0);
  // Each image is matched once; a resample only re-accumulates (an image's matching ignores the others).
  const matchesA = matchCocoImages(images, detectionsA, numClasses);
  const matchesB = matchCocoImages(images, detectionsB, numClasses);
  const byId = cocoImageOrder(images);
  const observed = metric(summarizeCoco(matchesB, byId)) - metric(summarizeCoco(matchesA, byId));

  const deltas = new Float64Array(resamples);
  const scoresA = new Float64Array(resamples);
  const scoresB = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    // The drawn images in draw order, as COCO would list them had they been given ids 1..n in that order.
    const picks = Array.from({ length: n }, () => Math.floor(random() * n));
    scoresA[r] = metric(summarizeCoco(matchesA, picks));
    scoresB[r] = metric(summarizeCoco(matchesB, picks));
    deltas[r] = scoresB[r]! - scoresA[r]!;
    yield r + 1;
  }
  const mean = deltas.reduce((a, b) => a + b, 0) / resamples;
  const meanA = scoresA.reduce((a, b) => a + b, 0) / resamples;
  const meanB = scoresB.reduce((a, b) => a + b, 0) / resamples;
  const sorted = deltas.slice().sort();
  return {
    observed,
    mean,
    sd: sampleSd(deltas, mean),
    low: quantile(sorted, (1 - level) / 2),
    high: quantile(sorted, 1 - (1 - level) / 2),
    level,
    resamples,
    sdA: sampleSd(scoresA, meanA),
    sdB: sampleSd(scoresB, meanB),
    deltas,
  };
}
