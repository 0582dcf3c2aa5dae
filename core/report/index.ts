export * from './run-report';
export * from './report-markdown';
export * from './sensitivity-svg';
export * from './ratios-svg';
export * from './format';
export { STAGE_COLORS } from './svg';
