// Which test images to show: those where the original and the compressed model differ most. mAP averages
// such differences away; a reader deciding whether to ship wants to see the images behind them. An image's
// difference is the gap in matched detections (true positives at IoU 0.5 above a display threshold), then
// the gap in false positives, so that "the compressed model lost two cells here" ranks first.

import type { GtBox } from '../datasets';
import { cocoIou, toCocoBox } from '../metrics/coco-box';
import type { Detections } from '../postprocess';

export interface DrawnBox {
  classId: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Absent for ground truth. */
  score?: number;
}

export interface MatchCounts {
  /** Detections at or above the display threshold. */
  detections: number;
  /** Of those, matched one-to-one to a ground-truth box of the same class at IoU ≥ the threshold. */
  matched: number;
  falsePositives: number;
  /** Ground-truth boxes (crowd regions excluded) no detection matched. */
  missed: number;
}

export interface MatchOptions {
  /** IoU a detection needs to match a ground-truth box; default 0.5 (mAP50's). */
  iou?: number;
  /** Detections below this score are neither drawn nor counted; default 0.25 (ultralytics' predict default). */
  minScore?: number;
}

const DEFAULTS = { iou: 0.5, minScore: 0.25 };

/** Detections at or above `minScore`, best first, as plain boxes. */
export function boxesAbove(det: Detections, minScore = DEFAULTS.minScore): DrawnBox[] {
  const out: DrawnBox[] = [];
  for (let i = 0; i < det.count; i++) {
    const score = det.scores[i]!;
    if (!(score >= minScore)) continue;
    out.push({
      classId: det.classIds[i]!,
      x1: det.boxes[4 * i]!,
      y1: det.boxes[4 * i + 1]!,
      x2: det.boxes[4 * i + 2]!,
      y2: det.boxes[4 * i + 3]!,
      score,
    });
  }
  return out.sort((a, b) => b.score! - a.score!);
}

const iouOf = (a: DrawnBox, g: GtBox): number => {
  const [dx, dy, dw, dh] = toCocoBox(a.x1, a.y1, a.x2, a.y2);
  const [gx, gy, gw, gh] = toCocoBox(g.x1, g.y1, g.x2, g.y2);
  return cocoIou(dx, dy, dw, dh, gx, gy, gw, gh, false);
};

/** Greedy one-to-one matching, best score first, as COCO matches at a single IoU threshold. */
export function matchDetections(
  gt: readonly GtBox[],
  det: Detections,
  options: MatchOptions = {},
): MatchCounts {
  const { iou, minScore } = { ...DEFAULTS, ...options };
  const boxes = boxesAbove(det, minScore);
  const truth = gt.filter((g) => !g.iscrowd);
  const taken = new Uint8Array(truth.length);
  let matched = 0;
  for (const d of boxes) {
    let best = -1;
    let bestIou = iou;
    truth.forEach((g, j) => {
      if (taken[j] || g.classId !== d.classId) return;
      const v = iouOf(d, g);
      if (v >= bestIou) {
        bestIou = v;
        best = j;
      }
    });
    if (best >= 0) {
      taken[best] = 1;
      matched++;
    }
  }
  return {
    detections: boxes.length,
    matched,
    falsePositives: boxes.length - matched,
    missed: truth.length - matched,
  };
}

export interface ImageDifference {
  /** Position in the images/detections arrays. */
  index: number;
  original: MatchCounts;
  compressed: MatchCounts;
  /** |Δ matched|: the ranking key. */
  matchedGap: number;
  falsePositiveGap: number;
}

/**
 * The `count` images where the two models' matched detections differ most (then false positives, then the
 * image with more ground truth, then the earlier one), so the choice is deterministic.
 */
export function pickDifferingImages(
  gts: readonly (readonly GtBox[])[],
  original: readonly Detections[],
  compressed: readonly Detections[],
  count: number,
  options: MatchOptions = {},
): ImageDifference[] {
  if (gts.length !== original.length || gts.length !== compressed.length)
    throw new RangeError(
      `pickDifferingImages: ${gts.length} images, ${original.length} and ${compressed.length} detection sets`,
    );
  const diffs = gts.map((gt, index): ImageDifference & { gt: number } => {
    const a = matchDetections(gt, original[index]!, options);
    const b = matchDetections(gt, compressed[index]!, options);
    return {
      index,
      original: a,
      compressed: b,
      matchedGap: Math.abs(a.matched - b.matched),
      falsePositiveGap: Math.abs(a.falsePositives - b.falsePositives),
      gt: gt.length,
    };
  });
  diffs.sort(
    (x, y) =>
      y.matchedGap - x.matchedGap ||
      y.falsePositiveGap - x.falsePositiveGap ||
      y.gt - x.gt ||
      x.index - y.index,
  );
  return diffs.slice(0, Math.max(0, count)).map(({ gt: _gt, ...d }) => d);
}
