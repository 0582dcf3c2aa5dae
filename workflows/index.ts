// Every workflow the workers register. Deterministic code only (see eslint.config.mjs).
export { pingPipeline } from './ping-pipeline';
export { compressModel, progressQuery, approvePlanSignal } from './compress-model';
export { scanSensitivity } from './scan-sensitivity';
