export * from './graph-index';
export * from './topological-order';
export * from './value-shape';
export * from './shape-inference';
export { shapeRules, type ShapeRule, type RuleInput, type RuleOutput } from './shape-rules';
export * from './transform';
