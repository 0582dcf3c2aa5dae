import type { DatasetImage } from '../datasets';
import type { Detections } from '../postprocess';
import { cocoIou, toCocoBox } from './coco-box';
import { AREA_RANGES, EPS, IOU_THRESHOLDS, MAX_DETS, RECALL_THRESHOLDS } from './coco-params';

/**
 * COCO bbox evaluation, a line-by-line port of pycocotools' COCOeval (evaluateImg, accumulate,
 * summarize) so that results agree to floating-point noise: the same stable sorts, tie rules, crowd and
 * area-range ignores, 101-point interpolated precision and per-image max-detection cuts.
 */
export interface CocoMetrics {
  /** pycocotools' 12 summary numbers (AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl); -1 = undefined. */
  stats: number[];
  map50_95: number;
  map50: number;
  map75: number;
  ar100: number;
  /** AP@[.5:.95] per class (area all, 100 dets); null for a class without ground truth. */
  perClassAp: (number | null)[];
  /** AP@.5 per class; null for a class without ground truth. */
  perClassAp50: (number | null)[];
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
  area: number;
  crowd: boolean;
}

export interface ImgEval {
  /** Scores of the (≤ 100) detections, sorted descending. */
  scores: Float64Array;
  /** [T × nd]: matched to a (non-crowd or crowd) ground truth. */
  matched: Uint8Array;
  /** [T × nd]: ignored (matched to an ignored gt, or unmatched and outside the area range). */
  ignored: Uint8Array;
  /** Ground truths that count (not crowd, inside the area range). */
  npig: number;
}

const T = IOU_THRESHOLDS.length;
const R = RECALL_THRESHOLDS.length;
const A = AREA_RANGES.length;
const M = MAX_DETS.length;
const MAX_DET = MAX_DETS[M - 1]!;

/** Stable order of indices by key ascending (numpy's mergesort argsort). */
function stableArgsort(n: number, key: (i: number) => number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  return idx.sort((a, b) => key(a) - key(b) || a - b);
}

function evaluateImg(
  gts: Box[],
  dts: Box[],
  dtScores: number[],
  areaRange: readonly [number, number],
): ImgEval {
  const [lo, hi] = areaRange;
  const gIgnore = gts.map((g) => (g.crowd || g.area < lo || g.area > hi ? 1 : 0));
  const gtOrder = stableArgsort(gts.length, (i) => gIgnore[i]!);
  const dtOrder = stableArgsort(dts.length, (i) => -dtScores[i]!).slice(0, MAX_DET);
  const G = gtOrder.length;
  const D = dtOrder.length;
  const ious = new Float64Array(D * G);
  for (let d = 0; d < D; d++) {
    const db = dts[dtOrder[d]!]!;
    for (let g = 0; g < G; g++) {
      const gb = gts[gtOrder[g]!]!;
      ious[d * G + g] = cocoIou(db.x, db.y, db.w, db.h, gb.x, gb.y, gb.w, gb.h, gb.crowd);
    }
  }
  const gtIg = gtOrder.map((i) => gIgnore[i]!);
  const crowd = gtOrder.map((i) => gts[i]!.crowd);
  const matched = new Uint8Array(T * D);
  const ignored = new Uint8Array(T * D);
  const gtm = new Uint8Array(G);
  for (let t = 0; t < T; t++) {
    gtm.fill(0);
    for (let d = 0; d < D; d++) {
      let iou = Math.min(IOU_THRESHOLDS[t]!, 1 - 1e-10);
      let m = -1;
      for (let g = 0; g < G; g++) {
        if (gtm[g] && !crowd[g]) continue;
        if (m > -1 && gtIg[m] === 0 && gtIg[g] === 1) break;
        const v = ious[d * G + g]!;
        if (v < iou) continue;
        iou = v;
        m = g;
      }
      if (m === -1) continue;
      ignored[t * D + d] = gtIg[m]!;
      matched[t * D + d] = 1;
      gtm[m] = 1;
    }
  }
  for (let d = 0; d < D; d++) {
    const a = dts[dtOrder[d]!]!.area;
    if (a < lo || a > hi) for (let t = 0; t < T; t++) if (!matched[t * D + d]) ignored[t * D + d] = 1;
  }
  let npig = 0;
  for (const g of gtIg) if (g === 0) npig++;
  return { scores: Float64Array.from(dtOrder, (i) => dtScores[i]!), matched, ignored, npig };
}

/** Precision [T, R, K, A, M] and recall [T, K, A, M], -1 where a class has no counted ground truth. */
function accumulate(
  evals: (ImgEval | null)[][][],
  K: number,
): { precision: Float64Array; recall: Float64Array } {
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  for (let k = 0; k < K; k++) {
    for (let a = 0; a < A; a++) {
      const E = evals[k]![a]!.filter((e): e is ImgEval => e !== null);
      if (E.length === 0) continue;
      for (let m = 0; m < M; m++) {
        const maxDet = MAX_DETS[m]!;
        let npig = 0;
        let nd = 0;
        for (const e of E) {
          npig += e.npig;
          nd += Math.min(e.scores.length, maxDet);
        }
        if (npig === 0) continue;
        // Concatenate per-image cut lists in image order, then a stable sort by score (numpy mergesort).
        const src = new Int32Array(nd * 2);
        const scores = new Float64Array(nd);
        let p = 0;
        E.forEach((e, ei) => {
          const n = Math.min(e.scores.length, maxDet);
          for (let d = 0; d < n; d++, p++) {
            src[2 * p] = ei;
            src[2 * p + 1] = d;
            scores[p] = e.scores[d]!;
          }
        });
        const order = stableArgsort(nd, (i) => -scores[i]!);
        const pr = new Float64Array(nd);
        const rc = new Float64Array(nd);
        for (let t = 0; t < T; t++) {
          let tp = 0;
          let fp = 0;
          for (let j = 0; j < nd; j++) {
            const o = order[j]!;
            const e = E[src[2 * o]!]!;
            const d = src[2 * o + 1]!;
            const D = e.scores.length;
            if (!e.ignored[t * D + d]) {
              if (e.matched[t * D + d]) tp++;
              else fp++;
            }
            rc[j] = tp / npig;
            pr[j] = tp / (fp + tp + EPS);
          }
          recall[((t * K + k) * A + a) * M + m] = nd ? rc[nd - 1]! : 0;
          for (let i = nd - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
          let idx = 0;
          for (let r = 0; r < R; r++) {
            // np.searchsorted(rc, thr, 'left'): first index with rc >= thr.
            const thr = RECALL_THRESHOLDS[r]!;
            while (idx < nd && rc[idx]! < thr) idx++;
            precision[(((t * R + r) * K + k) * A + a) * M + m] = idx < nd ? pr[idx]! : 0;
          }
        }
      }
    }
  }
  return { precision, recall };
}

function meanValid(values: Iterable<number>): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (v > -1) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? -1 : sum / n;
}

/**
 * Evaluates detections (aligned with `images`, boxes in original pixels) against the images' ground
 * truth for classes 0..numClasses-1. Detections of other class ids are ignored, as pycocotools ignores
 * categories the ground truth does not declare.
 */
export function evaluateCoco(
  images: readonly DatasetImage[],
  detections: readonly Detections[],
  numClasses: number,
): CocoMetrics {
  return summarizeCoco(matchCocoImages(images, detections, numClasses), cocoImageOrder(images));
}

/** The images' indices in the order pycocotools lists them (ascending id, stable). */
export function cocoImageOrder(images: readonly DatasetImage[]): number[] {
  return stableArgsort(images.length, (i) => images[i]!.id);
}

/**
 * Each image's matching of detections to ground truth, per class and area range: the per-image half of
 * COCOeval (evaluateImg). An image's result does not depend on the other images, so scores over any
 * selection of the images, repeats included (bootstrap resamples), need only `summarizeCoco`.
 */
export interface CocoImageMatches {
  readonly numClasses: number;
  readonly images: number;
  /** evals[k][a][image index as given] */
  readonly evals: readonly (readonly (ImgEval | null)[])[][];
}

export function matchCocoImages(
  images: readonly DatasetImage[],
  detections: readonly Detections[],
  numClasses: number,
): CocoImageMatches {
  if (detections.length !== images.length) {
    throw new RangeError(`evaluateCoco: ${detections.length} detection sets for ${images.length} images`);
  }
  const K = numClasses;
  const evals: (ImgEval | null)[][][] = Array.from({ length: K }, () => Array.from({ length: A }, () => []));
  const gtByClass: Box[][] = Array.from({ length: K }, () => []);
  const dtByClass: Box[][] = Array.from({ length: K }, () => []);
  const scoreByClass: number[][] = Array.from({ length: K }, () => []);
  images.forEach((img, ii) => {
    const det = detections[ii]!;
    for (let k = 0; k < K; k++) {
      gtByClass[k]!.length = 0;
      dtByClass[k]!.length = 0;
      scoreByClass[k]!.length = 0;
    }
    for (const g of img.boxes) {
      if (g.classId >= K) continue;
      const [x, y, w, h] = toCocoBox(g.x1, g.y1, g.x2, g.y2);
      gtByClass[g.classId]!.push({ x, y, w, h, area: g.area ?? w * h, crowd: g.iscrowd === true });
    }
    for (let i = 0; i < det.count; i++) {
      const c = det.classIds[i]!;
      if (c < 0 || c >= K) continue;
      const [x, y, w, h] = toCocoBox(
        det.boxes[4 * i]!,
        det.boxes[4 * i + 1]!,
        det.boxes[4 * i + 2]!,
        det.boxes[4 * i + 3]!,
      );
      dtByClass[c]!.push({ x, y, w, h, area: w * h, crowd: false });
      scoreByClass[c]!.push(det.scores[i]!);
    }
    for (let k = 0; k < K; k++) {
      const gts = gtByClass[k]!;
      const dts = dtByClass[k]!;
      for (let a = 0; a < A; a++) {
        evals[k]![a]!.push(
          gts.length === 0 && dts.length === 0
            ? null
            : evaluateImg(gts, dts, scoreByClass[k]!, AREA_RANGES[a]!),
        );
      }
    }
  });
  return { numClasses: K, images: images.length, evals };
}

/**
 * COCOeval's accumulate and summarize over the images at `order` (indices into the matched images, in
 * the order pycocotools would list them: ascending image id; an index may repeat).
 */
export function summarizeCoco(matches: CocoImageMatches, order: readonly number[]): CocoMetrics {
  const K = matches.numClasses;
  for (const i of order)
    if (!Number.isInteger(i) || i < 0 || i >= matches.images)
      throw new RangeError(`summarizeCoco: image index ${i} outside 0..${matches.images - 1}`);
  const evals = matches.evals.map((byArea) => byArea.map((byImage) => order.map((i) => byImage[i]!)));
  const { precision, recall } = accumulate(evals, K);

  const ap = (area: number, m: number, t?: number, k?: number): number => {
    const out: number[] = [];
    for (let ti = 0; ti < T; ti++) {
      if (t !== undefined && ti !== t) continue;
      for (let r = 0; r < R; r++)
        for (let kk = 0; kk < K; kk++) {
          if (k !== undefined && kk !== k) continue;
          out.push(precision[(((ti * R + r) * K + kk) * A + area) * M + m]!);
        }
    }
    return meanValid(out);
  };
  const ar = (area: number, m: number): number => {
    const out: number[] = [];
    for (let ti = 0; ti < T; ti++)
      for (let kk = 0; kk < K; kk++) out.push(recall[((ti * K + kk) * A + area) * M + m]!);
    return meanValid(out);
  };
  const m100 = M - 1;
  const stats = [
    ap(0, m100),
    ap(0, m100, 0),
    ap(0, m100, 5),
    ap(1, m100),
    ap(2, m100),
    ap(3, m100),
    ar(0, 0),
    ar(0, 1),
    ar(0, m100),
    ar(1, m100),
    ar(2, m100),
    ar(3, m100),
  ];
  const perClass = (t?: number) =>
    Array.from({ length: K }, (_, k) => {
      const v = ap(0, m100, t, k);
      return v === -1 ? null : v;
    });
  return {
    stats,
    map50_95: stats[0]!,
    map50: stats[1]!,
    map75: stats[2]!,
    ar100: stats[8]!,
    perClassAp: perClass(),
    perClassAp50: perClass(0),
  };
}
