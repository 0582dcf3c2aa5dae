export * from './model-stats';
export * from './stats-json';
export * from './gamma-histogram';
