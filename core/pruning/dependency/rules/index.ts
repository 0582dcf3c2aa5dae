export { convRule } from './conv';
export { batchNormalizationRule } from './batch-normalization';
export { passThroughRule, PASS_THROUGH_OPS, softmaxRule } from './pass-through';
export { elementwiseRule, ELEMENTWISE_OPS } from './elementwise';
export { concatRule } from './concat';
export { splitRule } from './split';
export { sliceRule } from './slice';
export { resizeRule } from './resize';
export { shapeRule } from './shape';
