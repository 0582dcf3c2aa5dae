import { StagepruneError } from '../errors';

/** Every way an ONNX file can be unusable. Codes are stable: they become ApplicationFailure types. */
export type OnnxErrorCode =
  | 'ONNX_TRUNCATED'
  | 'ONNX_NOT_ONNX'
  | 'ONNX_OPSET_UNSUPPORTED'
  | 'ONNX_EXTERNAL_DATA_ESCAPES'
  | 'ONNX_EXTERNAL_DATA_UNREADABLE'
  | 'ONNX_SHAPE_ABSURD'
  | 'ONNX_INITIALIZER_SIZE_MISMATCH'
  | 'ONNX_UNSUPPORTED_DATA_TYPE'
  | 'ONNX_GRAPH_INVALID'
  | 'ONNX_NESTING_TOO_DEEP';

/** A model file or graph we cannot read or trust. Always an input error: retrying will not help. */
export class OnnxFormatError extends StagepruneError {
  declare readonly code: OnnxErrorCode;

  constructor(code: OnnxErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { cause: options.cause, isInputError: true });
  }
}
