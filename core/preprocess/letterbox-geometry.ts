/**
 * Where an image lands in the square network input, exactly as ultralytics' validation computes it:
 * `BaseDataset.load_image` first resizes the long side to `imgsz` (sizes rounded up with ceil, capped at
 * imgsz), then `LetterBox(scaleup=False)` centres it with `round(d - 0.1)` / `round(d + 0.1)` padding.
 * Boxes go back with `scale_boxes(..., ratio_pad)`, whose gains are resized/original per axis.
 */
export interface LetterboxGeometry {
  readonly srcWidth: number;
  readonly srcHeight: number;
  /** Size of the resized image inside the canvas. */
  readonly width: number;
  readonly height: number;
  readonly padLeft: number;
  readonly padTop: number;
  /** Square canvas side (the network's input size). */
  readonly size: number;
  /** resized / original, per axis (ultralytics' ratio_pad gains). */
  readonly gainX: number;
  readonly gainY: number;
}

export function letterboxGeometry(srcWidth: number, srcHeight: number, size: number): LetterboxGeometry {
  if (!(srcWidth > 0 && srcHeight > 0 && size > 0)) {
    throw new RangeError(`letterbox: invalid sizes ${srcWidth}x${srcHeight} -> ${size}`);
  }
  const r = size / Math.max(srcWidth, srcHeight);
  let width = srcWidth;
  let height = srcHeight;
  if (r !== 1) {
    width = Math.min(Math.ceil(srcWidth * r), size);
    height = Math.min(Math.ceil(srcHeight * r), size);
  }
  // LetterBox's own ratio is min(size/h, size/w, 1) = 1 here since the long side is already `size`, so
  // there is no second resize for a square canvas. dw, dh are multiples of 0.5, so d ± 0.1 never ties
  // and Python's banker's rounding equals Math.round.
  const dw = (size - width) / 2;
  const dh = (size - height) / 2;
  return {
    srcWidth,
    srcHeight,
    width,
    height,
    padLeft: Math.round(dw - 0.1) + 0, // + 0 turns round(-0.1) = -0 into 0
    padTop: Math.round(dh - 0.1) + 0,
    size,
    gainX: width / srcWidth,
    gainY: height / srcHeight,
  };
}
