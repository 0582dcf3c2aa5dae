export { ProductionStack, type ProductionServiceStatus } from './production-stack';
export { productionOptionsFromConfig, type ProductionOptions } from './production-options';
export type { FleetWorker } from './worker-fleet';
