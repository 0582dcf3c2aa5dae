// A pruned model is written only after onnxruntime accepts it: never an invalid model on disk.

import { ort } from '../ort';
import { encodeModel } from '../../core/onnx/encode';
import type { Model } from '../../core/onnx/model';
import { PruneError } from '../../core/pruning/errors';

/** Encodes the model and opens an onnxruntime session on it; returns the bytes that loaded. */
export async function encodeLoadable(model: Model): Promise<Uint8Array> {
  const bytes = encodeModel(model);
  try {
    const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
    await session.release();
  } catch (err) {
    throw new PruneError(
      'PRUNE_SURGERY_FAILED',
      `the pruned model does not load in onnxruntime: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return bytes;
}
