export * from './model-stats';
