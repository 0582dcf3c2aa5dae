/**
 * COCO boxes are [x, y, w, h]. Metrics and the JSON export both convert through this one function, so the
 * doubles pycocotools reads from the JSON are the very values our IoU uses.
 */
export function toCocoBox(x1: number, y1: number, x2: number, y2: number): [number, number, number, number] {
  return [x1, y1, x2 - x1, y2 - y1];
}

/** pycocotools' bbIou (maskApi.c) for one pair, same operations in the same order. */
export function cocoIou(
  dx: number,
  dy: number,
  dw: number,
  dh: number,
  gx: number,
  gy: number,
  gw: number,
  gh: number,
  crowd: boolean,
): number {
  const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
  if (w <= 0) return 0;
  const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
  if (h <= 0) return 0;
  const i = w * h;
  const da = dw * dh;
  const u = crowd ? da : da + gw * gh - i;
  return i / u;
}
