export * from './coco-params';
export * from './coco-box';
export * from './coco-eval';
export * from './coco-export';
export * from './paired-bootstrap';
