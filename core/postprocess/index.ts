export * from './detections';
export * from './nms-options';
export * from './detection-decoder';
