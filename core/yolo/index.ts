export * from './arch-spec';
export {
  buildYolo,
  buildYoloV8,
  type BuildOptions,
  BN_EPSILON,
  BN_MOMENTUM,
  OPSET,
  IR_VERSION,
} from './build-yolo';
export * from './families';
export { anchorGrid } from './detect-head';
export * from './part-map';
export * from './load-weights';
export * from './ultralytics-metadata';
export { createRandom } from './seeded-random';
