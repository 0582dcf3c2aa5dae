import { StagepruneError } from '../core/errors';

export type InferenceErrorCode =
  | 'EP_UNAVAILABLE'
  | 'MODEL_NOT_FOUND'
  | 'MODEL_LOAD_FAILED'
  | 'MODEL_NOT_DETECTOR'
  | 'MODEL_INPUT_MISMATCH'
  | 'MODEL_CLASSES_MISMATCH'
  | 'INFERENCE_FAILED';

/** Problems running a model; messages name the model file. */
export class InferenceError extends StagepruneError {
  declare readonly code: InferenceErrorCode;
  constructor(
    code: InferenceErrorCode,
    message: string,
    options: { cause?: unknown; isInputError?: boolean } = {},
  ) {
    super(code, message, { isInputError: true, ...options });
  }
}

/** Why the CUDA execution provider is unusable (runtime/cuda/status.ts), the same words in every message. */
export type CudaUnavailableReason = 'provider-missing' | 'library-missing' | 'no-device' | 'session-failed';

/**
 * `EP_UNAVAILABLE` for CUDA, saying which part is missing: `missing` names the library files (or the
 * device node) so callers and tests need not parse the message. Never a reason to fall back to the CPU.
 */
export class CudaUnavailableError extends InferenceError {
  constructor(
    readonly reason: CudaUnavailableReason,
    readonly missing: readonly string[],
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super('EP_UNAVAILABLE', message, options);
  }
}
