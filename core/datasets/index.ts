export * from './types';
export * from './errors';
export * from './voc';
export * from './yolo-txt';
export * from './coco-json';
export * from './validate';
export * from './remap-classes';
export * from './yolo-data-yaml';
