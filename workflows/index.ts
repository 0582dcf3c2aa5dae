// Every workflow the workers register. Deterministic code only (see eslint.config.mjs).
export { pingPipeline } from './ping-pipeline';
