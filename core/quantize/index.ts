export { decodePathNodes } from './decode-path';
export { QuantizeError, type QuantizeErrorCode } from './errors';
export {
  createObserver,
  EntropyObserver,
  MinMaxObserver,
  OBSERVER_KINDS,
  PercentileObserver,
  type Observer,
  type ObserverKind,
  type Range,
} from './observers';
export { quantParams, type QuantParams, type QuantType } from './quant-params';
export { activationInputsOf, QUANTIZABLE_OPS, quantizedOutputsOf } from './quantizable-ops';
export {
  quantizableNodes,
  quantizeModel,
  quantizeWeight,
  type QuantizedModel,
  type QuantizeOptions,
} from './quantize-model';
export { convLayers, type QuantLayer } from './layers';
export {
  controlAccuracy,
  type AccuracyControlOptions,
  type AccuracyControlResult,
  type LayerSensitivity,
} from './accuracy-control';
