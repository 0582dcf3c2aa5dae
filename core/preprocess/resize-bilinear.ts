/**
 * OpenCV's `cv2.resize(..., INTER_LINEAR)` for 8-bit interleaved images, reproduced in its fixed-point
 * arithmetic so that our network input equals ultralytics' (which resizes with OpenCV) value for value:
 * 11-bit weights rounded from single-precision source offsets, an exact integer horizontal pass, and the
 * SIMD vertical pass's `(((s0>>4)*b0 >> 16) + ((s1>>4)*b1 >> 16) + 2) >> 2` rounding (the scalar tail
 * rounds `(s0*b0 + s1*b1 + 2^21) >> 22`). An exact 2x reduction is OpenCV's fast area average.
 */
const COEF_SCALE = 2048;
/** Bytes per SIMD step of OpenCV's vertical pass on x86 (SSE2/NEON baseline). */
const SIMD_LANES = 16;

interface AxisTable {
  readonly offsets: Int32Array;
  readonly w0: Int32Array;
  readonly w1: Int32Array;
}

/** cvRound: round half to even. */
function roundEven(v: number): number {
  const f = Math.floor(v);
  const diff = v - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function axisTable(src: number, dst: number): AxisTable {
  const scale = 1 / (dst / src);
  const offsets = new Int32Array(dst);
  const w0 = new Int32Array(dst);
  const w1 = new Int32Array(dst);
  for (let d = 0; d < dst; d++) {
    let fx = Math.fround((d + 0.5) * scale - 0.5);
    let sx = Math.floor(fx);
    fx = Math.fround(fx - sx);
    if (sx < 0) {
      fx = 0;
      sx = 0;
    }
    if (sx >= src - 1) {
      fx = 0;
      sx = src - 1;
    }
    offsets[d] = sx;
    w0[d] = roundEven(Math.fround(1 - fx) * COEF_SCALE);
    w1[d] = roundEven(fx * COEF_SCALE);
  }
  return { offsets, w0, w1 };
}

/**
 * Resizes an interleaved uint8 image (`channels` per pixel) and hands each output row to `emit`, so the
 * caller can write it wherever it needs (the letterbox writes planar floats) without a second image copy.
 */
export function resizeBilinearRows(
  src: Uint8Array,
  srcWidth: number,
  srcHeight: number,
  channels: number,
  dstWidth: number,
  dstHeight: number,
  emit: (row: Uint8Array, y: number) => void,
): void {
  const rowLen = dstWidth * channels;
  const out = new Uint8Array(rowLen);
  if (srcWidth === dstWidth * 2 && srcHeight === dstHeight * 2) {
    const step = srcWidth * channels;
    for (let y = 0; y < dstHeight; y++) {
      const r0 = 2 * y * step;
      for (let x = 0; x < dstWidth; x++) {
        for (let c = 0; c < channels; c++) {
          const s = r0 + 2 * x * channels + c;
          out[x * channels + c] =
            (src[s]! + src[s + channels]! + src[s + step]! + src[s + step + channels]! + 2) >> 2;
        }
      }
      emit(out, y);
    }
    return;
  }
  const xt = axisTable(srcWidth, dstWidth);
  const yt = axisTable(srcHeight, dstHeight);
  const simdEnd = rowLen - (rowLen % SIMD_LANES);
  // Two horizontally resized rows, cached by source row index (OpenCV keeps the same ring buffer).
  const rows = [new Int32Array(rowLen), new Int32Array(rowLen)];
  const rowOf = [-1, -1];
  const horizontal = (sy: number, dst: Int32Array) => {
    const base = sy * srcWidth * channels;
    for (let x = 0; x < dstWidth; x++) {
      const sx = xt.offsets[x]!;
      const a0 = xt.w0[x]!;
      const a1 = xt.w1[x]!;
      const p = base + sx * channels;
      const q = sx + 1 < srcWidth ? p + channels : p;
      for (let c = 0; c < channels; c++) dst[x * channels + c] = src[p + c]! * a0 + src[q + c]! * a1;
    }
  };
  const rowFor = (sy: number): Int32Array => {
    const hit = rowOf[0] === sy ? 0 : rowOf[1] === sy ? 1 : -1;
    if (hit >= 0) return rows[hit]!;
    // Replace the slot not holding the other row this output row needs (rows go top to bottom).
    const slot = rowOf[0]! < rowOf[1]! ? 0 : 1;
    horizontal(sy, rows[slot]!);
    rowOf[slot] = sy;
    return rows[slot]!;
  };
  for (let y = 0; y < dstHeight; y++) {
    const sy = yt.offsets[y]!;
    const b0 = yt.w0[y]!;
    const b1 = yt.w1[y]!;
    const s0 = rowFor(sy);
    const s1 = rowFor(Math.min(sy + 1, srcHeight - 1));
    for (let x = 0; x < simdEnd; x++) {
      const v = ((((s0[x]! >> 4) * b0) >> 16) + (((s1[x]! >> 4) * b1) >> 16) + 2) >> 2;
      out[x] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    for (let x = simdEnd; x < rowLen; x++) {
      const v = Math.floor((s0[x]! * b0 + s1[x]! * b1 + 2097152) / 4194304);
      out[x] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    emit(out, y);
  }
}
