export * from './letterbox-geometry';
export * from './resize-bilinear';
export * from './letterbox-image';
export * from './box-mapping';
export * from './float16';
