export { connectClient } from './connect';
export { startCompression, queryProgress, type StartCompressionOptions } from './start-compression';
export { describeRunActivity, type PendingActivity, type RunNode } from './run-activity';
export { compressModelInputSchema, type CompressModelInput } from '../common/compress-input';
export type { CompressModelResult, CompressProgress, ModelMetrics } from '../common/compress-result';
