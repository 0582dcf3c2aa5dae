export * from './arch-spec';
export { buildYoloV8, type BuildOptions, BN_EPSILON, BN_MOMENTUM, OPSET, IR_VERSION } from './build-yolov8';
export { anchorGrid } from './detect-head';
export * from './stage-map';
export * from './load-weights';
export * from './ultralytics-metadata';
export { createRandom } from './seeded-random';
