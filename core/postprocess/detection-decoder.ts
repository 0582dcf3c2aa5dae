import { StagepruneError } from '../errors';
import type { Detections } from './detections';
import { VALIDATION_NMS, type NmsOptions } from './nms-options';

/**
 * Decodes YOLOv8 detector output `[B, 4 + nc, N]` (cx, cy, w, h in input pixels, then per-class
 * scores after sigmoid) into per-image detections with class-aware greedy NMS, as ultralytics'
 * `non_max_suppression(multi_label=True)` does. All buffers are allocated once per decoder and reused, so
 * the per-box loops allocate nothing.
 *
 * Greedy NMS over the score-sorted candidates keeps a box iff no kept box of its class overlaps it
 * above the threshold; so it can stop as soon as `maxDetections` boxes are kept (ultralytics' `i[:max_det]`
 * after a full NMS gives the same set), and each candidate is compared with at most that many boxes.
 */
/** Candidates the packed-key sort can index (2^20). */
const INDEX_SPAN = 1048576;

export class DetectionDecoder {
  readonly numClasses: number;
  readonly numAnchors: number;
  private readonly opts: NmsOptions;
  private capacity = 0;
  private candAnchor = new Int32Array(0);
  private candClass = new Int32Array(0);
  private candScore = new Float32Array(0);
  private order = new Uint32Array(0);
  private keys = new Float64Array(0);
  private readonly kept: Float64Array;
  private readonly keptClass: Int32Array;
  private readonly byScoreDesc = (a: number, b: number): number =>
    this.candScore[b]! - this.candScore[a]! || a - b;

  constructor(numClasses: number, numAnchors: number, options: Partial<NmsOptions> = {}) {
    if (!(Number.isInteger(numClasses) && numClasses > 0 && Number.isInteger(numAnchors) && numAnchors > 0)) {
      throw new StagepruneError(
        'POSTPROCESS_SHAPE',
        `invalid detector output: ${numClasses} classes, ${numAnchors} anchors`,
      );
    }
    this.numClasses = numClasses;
    this.numAnchors = numAnchors;
    this.opts = { ...VALIDATION_NMS, ...options };
    this.kept = new Float64Array(this.opts.maxDetections * 4);
    this.keptClass = new Int32Array(this.opts.maxDetections);
  }

  /** Decodes image `b` of the batch output into `out` (which needs capacity maxDetections). */
  decode(output: Float32Array, b: number, out: Detections): void {
    const n = this.numAnchors;
    const nc = this.numClasses;
    const base = b * (4 + nc) * n;
    if (output.length < base + (4 + nc) * n) {
      throw new StagepruneError(
        'POSTPROCESS_SHAPE',
        `output has ${output.length} values, image ${b} needs ${base + (4 + nc) * n}`,
      );
    }
    const { confThreshold: conf, iouThreshold: iouThr, maxDetections, maxCandidates } = this.opts;
    this.ensureCapacity(this.opts.singleLabel ? n : n * nc);
    const cA = this.candAnchor;
    const cC = this.candClass;
    const cS = this.candScore;
    let count = 0;
    if (this.opts.singleLabel) {
      for (let a = 0; a < n; a++) {
        let best = -Infinity;
        let bestC = 0;
        for (let c = 0, o = base + 4 * n + a; c < nc; c++, o += n) {
          const s = output[o]!;
          if (s > best) {
            best = s;
            bestC = c;
          }
        }
        if (best > conf) {
          cA[count] = a;
          cC[count] = bestC;
          cS[count++] = best;
        }
      }
    } else {
      // Class-major scan follows the memory layout [4 + nc, N].
      for (let c = 0; c < nc; c++) {
        const row = base + (4 + c) * n;
        for (let a = 0; a < n; a++) {
          const s = output[row + a]!;
          if (s > conf) {
            cA[count] = a;
            cC[count] = c;
            cS[count++] = s;
          }
        }
      }
    }
    const order = this.sortByScore(count);

    const limit = Math.min(count, maxCandidates);
    const kept = this.kept;
    const keptClass = this.keptClass;
    let nKept = 0;
    for (let r = 0; r < limit && nKept < maxDetections; r++) {
      const i = order[r]!;
      const a = cA[i]!;
      const c = cC[i]!;
      const cx = output[base + a]!;
      const cy = output[base + n + a]!;
      const hw = output[base + 2 * n + a]! / 2;
      const hh = output[base + 3 * n + a]! / 2;
      const x1 = cx - hw;
      const y1 = cy - hh;
      const x2 = cx + hw;
      const y2 = cy + hh;
      const area = (x2 - x1) * (y2 - y1);
      let suppressed = false;
      for (let k = 0; k < nKept; k++) {
        if (keptClass[k] !== c) continue;
        const o = k * 4;
        const kx1 = kept[o]!;
        const ky1 = kept[o + 1]!;
        const kx2 = kept[o + 2]!;
        const ky2 = kept[o + 3]!;
        const iw = Math.min(x2, kx2) - Math.max(x1, kx1);
        if (iw <= 0) continue;
        const ih = Math.min(y2, ky2) - Math.max(y1, ky1);
        if (ih <= 0) continue;
        const inter = iw * ih;
        if (inter / (area + (kx2 - kx1) * (ky2 - ky1) - inter) > iouThr) {
          suppressed = true;
          break;
        }
      }
      if (suppressed) continue;
      const o = nKept * 4;
      kept[o] = x1;
      kept[o + 1] = y1;
      kept[o + 2] = x2;
      kept[o + 3] = y2;
      keptClass[nKept] = c;
      out.boxes[o] = x1;
      out.boxes[o + 1] = y1;
      out.boxes[o + 2] = x2;
      out.boxes[o + 3] = y2;
      out.scores[nKept] = cS[i]!;
      out.classIds[nKept] = c;
      nKept++;
    }
    out.count = nKept;
  }

  /**
   * Candidate indices by score descending, ties by candidate order. Up to 2^20 candidates the sort runs
   * on packed float64 keys (a positive float32's bits order like its value; bits · 2^20 + reversed index
   * stays below 2^53), which the engine sorts natively, several times faster than a comparator sort.
   */
  private sortByScore(count: number): Uint32Array {
    const order = this.order.subarray(0, count);
    const cS = this.candScore;
    if (count > INDEX_SPAN) {
      for (let i = 0; i < count; i++) order[i] = i;
      return order.sort(this.byScoreDesc);
    }
    const bits = new Uint32Array(cS.buffer, cS.byteOffset, count);
    const keys = this.keys.subarray(0, count);
    for (let i = 0; i < count; i++) keys[i] = bits[i]! * INDEX_SPAN + (INDEX_SPAN - 1 - i);
    keys.sort();
    for (let r = 0; r < count; r++) {
      const k = keys[count - 1 - r]!;
      order[r] = INDEX_SPAN - 1 - (k - Math.floor(k / INDEX_SPAN) * INDEX_SPAN);
    }
    return order;
  }

  private ensureCapacity(needed: number): void {
    if (needed <= this.capacity) return;
    this.capacity = needed;
    this.candAnchor = new Int32Array(needed);
    this.candClass = new Int32Array(needed);
    this.candScore = new Float32Array(needed);
    this.order = new Uint32Array(needed);
    this.keys = new Float64Array(Math.min(needed, INDEX_SPAN));
  }
}
