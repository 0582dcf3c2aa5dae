export * from './loaded-dataset';
export * from './load-voc';
export * from './load-yolo';
export * from './load-coco';
export * from './load-dataset';
export * from './dataset-splits';
