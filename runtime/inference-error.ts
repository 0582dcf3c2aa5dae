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
