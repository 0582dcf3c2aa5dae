/**
 * float32 <-> IEEE half for fp16 deploy-form models whose input and output tensors are float16 (passed to
 * onnxruntime as Uint16Array bit patterns). The scalar conversion is core/onnx's; these variants write into
 * a caller's buffer so the evaluation loop allocates nothing per batch.
 */
import { float16BitsToFloat32, float32ToFloat16Bits } from '../onnx/float16';

export { float32ToFloat16Bits as toHalfBits, float16BitsToFloat32 as fromHalfBits };

export function float32ToHalf(
  src: Float32Array,
  dst: Uint16Array = new Uint16Array(src.length),
): Uint16Array {
  for (let i = 0; i < src.length; i++) dst[i] = float32ToFloat16Bits(src[i]!);
  return dst;
}

export function halfToFloat32(
  src: Uint16Array,
  dst: Float32Array = new Float32Array(src.length),
): Float32Array {
  for (let i = 0; i < src.length; i++) dst[i] = float16BitsToFloat32(src[i]!);
  return dst;
}
