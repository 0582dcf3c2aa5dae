import type { LetterboxGeometry } from './letterbox-geometry';

/**
 * Maps `count` xyxy boxes (stride 4, in place) from network-input pixels back to the original image:
 * remove the padding, divide by the per-axis gain, clip to the image (ultralytics' scale_boxes).
 */
export function boxesToOriginal(
  boxes: Float32Array | Float64Array,
  count: number,
  g: LetterboxGeometry,
): void {
  const w = g.srcWidth;
  const h = g.srcHeight;
  for (let i = 0; i < count * 4; i += 4) {
    const x1 = (boxes[i]! - g.padLeft) / g.gainX;
    const y1 = (boxes[i + 1]! - g.padTop) / g.gainY;
    const x2 = (boxes[i + 2]! - g.padLeft) / g.gainX;
    const y2 = (boxes[i + 3]! - g.padTop) / g.gainY;
    boxes[i] = x1 < 0 ? 0 : x1 > w ? w : x1;
    boxes[i + 1] = y1 < 0 ? 0 : y1 > h ? h : y1;
    boxes[i + 2] = x2 < 0 ? 0 : x2 > w ? w : x2;
    boxes[i + 3] = y2 < 0 ? 0 : y2 > h ? h : y2;
  }
}

/** The inverse, for tests and for drawing ground truth in network space. */
export function boxToInput(
  box: readonly [number, number, number, number],
  g: LetterboxGeometry,
): [number, number, number, number] {
  return [
    box[0] * g.gainX + g.padLeft,
    box[1] * g.gainY + g.padTop,
    box[2] * g.gainX + g.padLeft,
    box[3] * g.gainY + g.padTop,
  ];
}
