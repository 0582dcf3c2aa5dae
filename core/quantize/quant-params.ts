// Scale and zero point of a linear quantization r = s·(q − z), written as onnxruntime's Python quantizer
// computes them (quant_utils.compute_scale_zp), so a range gives the same parameters in both tools: the
// range always contains 0; symmetric ranges become [−|r|max, +|r|max]; ties round half to even (numpy);
// the scale is stored at float32.

export type QuantType = 'uint8' | 'int8';

export interface QuantParams {
  readonly scale: number;
  readonly zeroPoint: number;
}

/** [qmin, qmax] of a type; symmetric int8 drops −128 so the range is symmetric about 0 (onnxruntime's too). */
export function quantRange(type: QuantType, symmetric: boolean): readonly [number, number] {
  if (type === 'uint8') return [0, 255];
  return symmetric ? [-127, 127] : [-128, 127];
}

/** Round half to even, as numpy.round does. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round rounds .5 up; step back to the even neighbour on an exact tie.
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const FLOAT32_TINY = 1.1754943508222875e-38;

export function quantParams(rmin: number, rmax: number, type: QuantType, symmetric: boolean): QuantParams {
  const [qmin, qmax] = quantRange(type, symmetric);
  // onnxruntime works at float32 until the division, then in float64.
  let lo = Math.min(Math.fround(rmin), 0);
  let hi = Math.max(Math.fround(rmax), 0);
  if (symmetric) {
    const absmax = Math.max(Math.abs(lo), Math.abs(hi));
    lo = -absmax;
    hi = absmax;
  }
  const scale = Math.fround(hi - lo) / (qmax - qmin);
  if (scale < FLOAT32_TINY) return { scale: 1, zeroPoint: 0 };
  const zeroPoint = symmetric ? roundHalfEven((qmin + qmax) / 2) : roundHalfEven(qmin - lo / scale);
  return { scale: Math.fround(scale), zeroPoint: Math.min(qmax, Math.max(qmin, zeroPoint)) };
}

/** q = clamp(round(r / s) + z), as QuantizeLinear computes it (round half to even). */
export function quantizeValue(r: number, p: QuantParams, type: QuantType, symmetric: boolean): number {
  const [qmin, qmax] = quantRange(type, symmetric);
  return Math.min(qmax, Math.max(qmin, roundHalfEven(r / p.scale) + p.zeroPoint));
}
