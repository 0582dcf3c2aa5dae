import { StagepruneError } from '../errors';

export type QuantizeErrorCode =
  | 'QUANTIZE_OPSET_TOO_OLD'
  | 'QUANTIZE_NO_CALIBRATION'
  | 'QUANTIZE_UNNAMED_NODE'
  | 'QUANTIZE_ALREADY_QUANTIZED';

/** A model or calibration set the quantizer cannot work with; retrying with the same input cannot help. */
export class QuantizeError extends StagepruneError {
  declare readonly code: QuantizeErrorCode;
  constructor(code: QuantizeErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
  }
}
