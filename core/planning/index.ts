export * from './errors';
export * from './sensitivity-types';
export * from './sensitivity-curves';
export * from './rank-sensitivity';
export * from './allocate-ratios';
export * from './scale-to-target';
export * from './latency-target';
export * from './fit-allocation';
