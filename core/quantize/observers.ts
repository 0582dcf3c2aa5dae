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
 * A histogram of |x| over [0, edge] with `bins` bins; when a batch exceeds the edge the histogram is
 * re-binned onto a wider edge (counts move to the bin holding their old centre), so no batch is clipped.
 * The sign is kept apart: the range is symmetric only when negative values were seen.
 */
abstract class AbsHistogramObserver implements Observer {
  protected counts: Float64Array;
  protected edge = 0;
  private sawNegative = false;
  private minSeen = Infinity;
  private maxSeen = -Infinity;

  constructor(protected readonly bins: number) {
    this.counts = new Float64Array(bins);
  }

  observe(values: Float32Array): void {
    let absMax = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < this.minSeen) this.minSeen = v;
      if (v > this.maxSeen) this.maxSeen = v;
      const a = Math.abs(v);
      if (a > absMax) absMax = a;
    }
    if (this.minSeen < 0) this.sawNegative = true;
    if (absMax > this.edge) this.widen(absMax);
    if (this.edge === 0) {
      this.counts[0]! += values.length;
      return;
    }
    const perBin = this.bins / this.edge;
    for (let i = 0; i < values.length; i++) {
      const b = Math.min(this.bins - 1, Math.floor(Math.abs(values[i]!) * perBin));
      this.counts[b]! += 1;
    }
  }

  private widen(edge: number): void {
    if (this.edge > 0) {
      const next = new Float64Array(this.bins);
      const oldWidth = this.edge / this.bins;
      for (let b = 0; b < this.bins; b++) {
        const c = this.counts[b]!;
        if (c === 0) continue;
        const centre = (b + 0.5) * oldWidth;
        next[Math.min(this.bins - 1, Math.floor((centre / edge) * this.bins))]! += c;
      }
      this.counts = next;
    }
    this.edge = edge;
  }

  /** The clip threshold on |x|, chosen by the subclass from the histogram. */
  protected abstract threshold(): number;

  range(): Range {
    if (!Number.isFinite(this.minSeen)) return { min: 0, max: 0 };
    if (this.edge === 0) return { min: 0, max: 0 };
    const t = Math.min(this.threshold(), this.edge);
    // Never widen past what was seen: a one-sided tensor (after a sigmoid) keeps its lower end.
    return this.sawNegative
      ? { min: Math.max(-t, this.minSeen), max: Math.min(t, this.maxSeen) }
      : { min: this.minSeen, max: Math.min(t, this.maxSeen) };
  }
}

/** Clips at the given percentile of |x| (99.999 by default, onnxruntime's default). */
export class PercentileObserver extends AbsHistogramObserver {
  constructor(
    private readonly percentile = 99.999,
    bins = 2048,
  ) {
    super(bins);
  }
  protected threshold(): number {
    let total = 0;
    for (const c of this.counts) total += c;
    const want = (total * this.percentile) / 100;
    let cum = 0;
    for (let b = 0; b < this.bins; b++) {
      cum += this.counts[b]!;
      if (cum >= want) return ((b + 1) * this.edge) / this.bins;
    }
    return this.edge;
  }
}

/**
 * The threshold that minimizes KL(P‖Q), where P is the histogram clipped at the threshold (outliers folded
 * into the last bin) and Q is P merged into `levels` quantization bins and expanded back over P's non-zero
 * bins.
 */
export class EntropyObserver extends AbsHistogramObserver {
  constructor(
    bins = 2048,
    private readonly levels = 128,
  ) {
    super(bins);
  }
  protected threshold(): number {
    const h = this.counts;
    let best = this.bins;
    let bestKl = Infinity;
    for (let i = this.levels; i <= this.bins; i++) {
      const kl = klAtClip(h, i, this.levels);
      if (kl < bestKl) {
        bestKl = kl;
        best = i;
      }
    }
    return (best * this.edge) / this.bins;
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
  return klDivergence(p, q);
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
