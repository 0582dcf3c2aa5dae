import type { LetterboxGeometry } from './letterbox-geometry';
import { resizeBilinearRows } from './resize-bilinear';

/** Gray padding of ultralytics' LetterBox. */
export const PAD_VALUE = 114;

const SCALE = new Float32Array(256).map((_, v) => v / 255);

/**
 * Writes one letterboxed image into a planar float32 batch tensor ([3, size, size] starting at
 * `offset`): RGB, /255, padding 114. `rgb` is interleaved 8-bit RGB (3 channels) of the original size.
 */
export function letterboxInto(
  rgb: Uint8Array,
  geometry: LetterboxGeometry,
  out: Float32Array,
  offset: number,
): void {
  const { srcWidth, srcHeight, width, height, padLeft, padTop, size } = geometry;
  if (rgb.length !== srcWidth * srcHeight * 3) {
    throw new RangeError(`letterbox: expected ${srcWidth * srcHeight * 3} RGB bytes, got ${rgb.length}`);
  }
  const plane = size * size;
  out.fill(SCALE[PAD_VALUE]!, offset, offset + 3 * plane);
  const writeRow = (row: Uint8Array, y: number) => {
    let o = offset + (y + padTop) * size + padLeft;
    for (let x = 0, i = 0; x < width; x++, i += 3, o++) {
      out[o] = SCALE[row[i]!]!;
      out[o + plane] = SCALE[row[i + 1]!]!;
      out[o + 2 * plane] = SCALE[row[i + 2]!]!;
    }
  };
  if (width === srcWidth && height === srcHeight) {
    const stride = srcWidth * 3;
    for (let y = 0; y < height; y++) writeRow(rgb.subarray(y * stride, (y + 1) * stride), y);
  } else {
    resizeBilinearRows(rgb, srcWidth, srcHeight, 3, width, height, writeRow);
  }
}
