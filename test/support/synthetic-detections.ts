import type { DatasetImage } from '../../core/datasets';
import { createDetections, type Detections } from '../../core/postprocess';
import { createRandom } from '../../core/yolo/seeded-random';

/** The builder's seeded PRNG, so synthetic detections are the same on every run. */
export const rng = createRandom;

/**
 * Detections that look like a half-trained detector's on real ground truth: jittered true boxes (some
 * dropped, some with the wrong class, some duplicated), random false positives, tied scores, and tiny
 * boxes so every area range is exercised.
 */
export function syntheticDetections(
  images: readonly DatasetImage[],
  numClasses: number,
  seed = 1,
): Detections[] {
  const r = rng(seed);
  return images.map((im) => {
    const boxes: number[] = [];
    const scores: number[] = [];
    const classes: number[] = [];
    const push = (x1: number, y1: number, x2: number, y2: number, s: number, c: number) => {
      const cx = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
      boxes.push(cx(x1, im.width), cx(y1, im.height), cx(x2, im.width), cx(y2, im.height));
      scores.push(s);
      classes.push(c);
    };
    for (const g of im.boxes) {
      if (r() < 0.15) continue;
      const w = g.x2 - g.x1;
      const h = g.y2 - g.y1;
      const j = () => (r() - 0.5) * 0.3;
      const c = r() < 0.08 ? Math.floor(r() * numClasses) : g.classId;
      push(g.x1 + j() * w, g.y1 + j() * h, g.x2 + j() * w, g.y2 + j() * h, Math.round(r() * 50) / 50, c);
      if (r() < 0.2)
        push(g.x1 + j() * w, g.y1 + j() * h, g.x2 + j() * w, g.y2 + j() * h, r() * 0.5, g.classId);
    }
    const fps = Math.floor(r() * 25);
    for (let i = 0; i < fps; i++) {
      const s = r() < 0.3 ? 4 + r() * 20 : 20 + r() * 150;
      const x = r() * (im.width - s);
      const y = r() * (im.height - s);
      push(x, y, x + s, y + s * (0.5 + r()), r() * 0.6, Math.floor(r() * numClasses));
    }
    const d = createDetections(scores.length);
    d.boxes.set(boxes);
    d.scores.set(scores);
    d.classIds.set(classes);
    d.count = scores.length;
    return d;
  });
}
