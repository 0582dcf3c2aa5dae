// Every workflow the workers register. Deterministic code only (see eslint.config.mjs).
export { pingPipeline } from './ping-pipeline';
export { compressModel, progressQuery, approvePlanSignal } from './compress-model';
export { scanSensitivity } from './scan-sensitivity';
export { planByRatios, planBySensitivity, planByAmc, netAdapt } from './planners';
export { amcSearch } from './amc-search';
export { pruneOnSchedule } from './prune-on-schedule';
export { sparsifyModel } from './sparsify-model';
