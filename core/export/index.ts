export * from './fold-batch-norm';
export * from './to-float16';
export * from './deploy-metadata';
export * from './export-deploy';
