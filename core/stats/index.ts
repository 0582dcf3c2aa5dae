export * from './model-stats';
export * from './stats-json';
