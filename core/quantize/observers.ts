// Observers turn the activations seen during calibration into one [min, max] range per tensor.
// MinMax keeps the extremes (onnxruntime's MinMax calibrator without moving average). The histogram
// observers clip outliers: percentile keeps the central p% of |x| mass; entropy picks the clip threshold
// whose quantized distribution is closest in KL divergence to the observed one (TensorRT's calibration,
// as onnxruntime's entropy calibrator does it).

export type ObserverKind = 'minmax' | 'percentile' | 'entropy';
export const OBSERVER_KINDS: readonly ObserverKind[] = ['minmax', 'percentile', 'entropy'];

export interface Range {
  readonly min: number;
  readonly max: number;
}

export interface Observer {
  observe(values: Float32Array): void;
  range(): Range;
}

export class MinMaxObserver implements Observer {
  private min = Infinity;
  private max = -Infinity;
  observe(values: Float32Array): void {
    let lo = this.min;
    let hi = this.max;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.min = lo;
    this.max = hi;
  }
  range(): Range {
    return Number.isFinite(this.min) ? { min: this.min, max: this.max } : { min: 0, max: 0 };
  }
}

/**
 * Keeps the exact extremes and an evenly strided sample of every batch (at most `perBatch` values of each),
 * from which the subclass picks the clip. Histograms are built once, at `range()`, over the span the data
 * really has: [0, max|x|] for tensors that cross zero, [min, max] for one-sided ones (after a sigmoid), so a
 * one-sided tensor far from zero never lands in a handful of bins.
 */
abstract class SampledObserver implements Observer {
  private readonly chunks: Float32Array[] = [];
  protected minSeen = Infinity;
  protected maxSeen = -Infinity;

  constructor(private readonly perBatch = 4096) {}

  observe(values: Float32Array): void {
    const stride = Math.max(1, Math.ceil(values.length / this.perBatch));
    const sample = new Float32Array(Math.ceil(values.length / stride));
    for (let i = 0, j = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < this.minSeen) this.minSeen = v;
      if (v > this.maxSeen) this.maxSeen = v;
      if (i % stride === 0) sample[j++] = v;
    }
    this.chunks.push(sample);
  }

  /** Counts of the sample in `bins` equal bins over [lo, hi] of f(x) (|x| or x). */
  protected histogram(bins: number, lo: number, hi: number, f: (x: number) => number): Float64Array {
    const counts = new Float64Array(bins);
    const perBin = hi > lo ? bins / (hi - lo) : 0;
    for (const c of this.chunks)
      for (let i = 0; i < c.length; i++)
        counts[Math.min(bins - 1, Math.max(0, Math.floor((f(c[i]!) - lo) * perBin)))]! += 1;
    return counts;
  }

  /** The upper clip of the tensor's span: of |x| when it crosses zero, of x when one-sided. */
  protected abstract clip(lo: number, hi: number, f: (x: number) => number): number;

  range(): Range {
    if (!Number.isFinite(this.minSeen)) return { min: 0, max: 0 };
    const signed = this.minSeen < 0 && this.maxSeen > 0;
    if (signed) {
      const t = this.clip(0, Math.max(-this.minSeen, this.maxSeen), Math.abs);
      return { min: Math.max(-t, this.minSeen), max: Math.min(t, this.maxSeen) };
    }
    if (this.maxSeen <= 0) {
      // All non-positive: clip the far (negative) end, mirrored.
      const t = this.clip(-this.maxSeen, -this.minSeen, (x) => -x);
      return { min: Math.max(-t, this.minSeen), max: this.maxSeen };
    }
    return {
      min: this.minSeen,
      max: Math.min(
        this.clip(this.minSeen, this.maxSeen, (x) => x),
        this.maxSeen,
      ),
    };
  }
}

/** Clips at the given percentile of |x| (99.999 by default, onnxruntime's default). */
export class PercentileObserver extends SampledObserver {
  constructor(
    private readonly percentile = 99.999,
    private readonly bins = 2048,
  ) {
    super();
  }
  protected clip(lo: number, hi: number, f: (x: number) => number): number {
    const counts = this.histogram(this.bins, lo, hi, f);
    let total = 0;
    for (const c of counts) total += c;
    const want = (total * this.percentile) / 100;
    let cum = 0;
    for (let b = 0; b < this.bins; b++) {
      cum += counts[b]!;
      if (cum >= want) return lo + ((b + 1) * (hi - lo)) / this.bins;
    }
    return hi;
  }
}

/**
 * The threshold that minimizes KL(P‖Q), where P is the histogram clipped at the threshold (outliers folded
 * into the last bin) and Q is P merged into `levels` quantization bins and expanded back over P's non-zero
 * bins.
 */
export class EntropyObserver extends SampledObserver {
  constructor(
    private readonly bins = 2048,
    private readonly levels = 128,
  ) {
    super();
  }
  protected clip(lo: number, hi: number, f: (x: number) => number): number {
    const h = this.histogram(this.bins, lo, hi, f);
    let best = this.bins;
    let bestKl = Infinity;
    for (let i = this.levels; i <= this.bins; i++) {
      const kl = klAtClip(h, i, this.levels);
      if (kl < bestKl) {
        bestKl = kl;
        best = i;
      }
    }
    return lo + (best * (hi - lo)) / this.bins;
  }
}

/** KL divergence between the histogram clipped to its first `clip` bins and its `levels`-level quantization. */
export function klAtClip(h: Float64Array, clip: number, levels: number): number {
  const p = new Float64Array(clip);
  for (let b = 0; b < clip; b++) p[b] = h[b]!;
  let outliers = 0;
  for (let b = clip; b < h.length; b++) outliers += h[b]!;
  p[clip - 1]! += outliers;
  const q = new Float64Array(clip);
  const per = clip / levels;
  for (let l = 0; l < levels; l++) {
    const start = Math.floor(l * per);
    const end = l === levels - 1 ? clip : Math.floor((l + 1) * per);
    let sum = 0;
    let nonZero = 0;
    for (let b = start; b < end; b++) {
      sum += h[b]!;
      if (h[b]! !== 0) nonZero++;
    }
    if (nonZero === 0) continue;
    for (let b = start; b < end; b++) if (h[b]! !== 0) q[b] = sum / nonZero;
  }
  // A slice with a single occupied bin matches its own quantization exactly whatever was folded into it;
  // such a clip says nothing and is never chosen.
  let occupied = 0;
  for (let b = 0; b < clip && occupied < 2; b++) if (h[b]! !== 0) occupied++;
  return occupied < 2 ? Infinity : klDivergence(p, q);
}

function klDivergence(p: Float64Array, q: Float64Array): number {
  let ps = 0;
  let qs = 0;
  for (let i = 0; i < p.length; i++) {
    ps += p[i]!;
    qs += q[i]!;
  }
  if (ps === 0) return 0;
  let kl = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / ps;
    if (pi === 0) continue;
    const qi = qs === 0 ? 0 : q[i]! / qs;
    // A bin P has and Q lacks makes the divergence infinite; a tiny floor keeps the search ordered.
    kl += pi * Math.log(pi / Math.max(qi, 1e-12));
  }
  return kl;
}

export function createObserver(kind: ObserverKind): Observer {
  switch (kind) {
    case 'minmax':
      return new MinMaxObserver();
    case 'percentile':
      return new PercentileObserver();
    case 'entropy':
      return new EntropyObserver();
  }
}
