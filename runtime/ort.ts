// The one entry to onnxruntime-node: every module imports `ort` from here, so the workaround below runs
// before any tensor is made.
import * as ort from 'onnxruntime-node';

export { ort };

/**
 * float16 tensors on Node >= 23. onnxruntime-common stores float16 tensor data as a `Float16Array` wherever
 * the runtime has one (Node 24 does), and onnxruntime-node 1.30's binding reads a Float16Array's byte
 * length as 0, so every float16 input fails with "not enough space: expected N, got 0" (microsoft/onnxruntime
 * PR 32323, open). onnxruntime-common picks the array type once, at its first tensor: this module makes that
 * first tensor while `Float16Array` is hidden, so float16 data stays `Uint16Array` bit patterns, in and out,
 * exactly as on Node 20. Drop it once an onnxruntime-node release reads Float16Array inputs.
 */
function keepFloat16AsUint16(): void {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'Float16Array');
  if (!saved) return;
  delete (globalThis as { Float16Array?: unknown }).Float16Array;
  try {
    new ort.Tensor('float32', new Float32Array(1), [1]);
  } finally {
    Object.defineProperty(globalThis, 'Float16Array', saved);
  }
}

keepFloat16AsUint16();
