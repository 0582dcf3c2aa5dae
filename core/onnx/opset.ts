/**
 * Default-domain opsets we read. 11 is the oldest ultralytics exports (opset 11–17 over the years); the
 * newest is what onnxruntime 1.2x runs. Outside this range op semantics may differ from what the shape
 * rules and the pruning engine assume.
 */
export const MIN_SUPPORTED_OPSET = 11;
export const MAX_SUPPORTED_OPSET = 22;
