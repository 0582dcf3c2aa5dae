import type { Client, WorkflowHandle } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { compressModelInputSchema, type CompressModelInput } from '../common/compress-input';
import type { CompressProgress } from '../common/compress-result';
import { searchKeys } from '../common/search-attributes';
import { loadConfig, type StagepruneConfig } from '../runtime/config';
import type { compressModel } from '../workflows/compress-model';

export interface StartCompressionOptions {
  workflowId?: string;
  /** The queue the workflow itself runs on; default the configured cpu queue (STAGEPRUNE_CPU_QUEUE). */
  taskQueue?: string;
  /**
   * The configured task queues the input's `taskQueues` default to; default `loadConfig()`
   * (STAGEPRUNE_CPU_QUEUE, STAGEPRUNE_GPU_QUEUE, else stageprune-cpu and stageprune-gpu).
   */
  config?: Pick<StagepruneConfig, 'taskQueues'>;
}

/**
 * Starts `compressModel` from another service. The input is validated here first (the workflow checks it
 * again), so a bad request fails in the caller, not as a failed run. Unless the input names them, its task
 * queues are filled in from the configuration: the workflow's graph work runs where the workflow runs, and
 * training and evaluation on the configured gpu queue, where the gpu worker polls.
 */
export async function startCompression(
  client: Client,
  input: CompressModelInput,
  options: StartCompressionOptions = {},
): Promise<WorkflowHandle<typeof compressModel>> {
  const queues = (options.config ?? loadConfig()).taskQueues;
  const taskQueue = options.taskQueue ?? queues.cpu;
  const withQueues: CompressModelInput = {
    ...input,
    taskQueues: { cpu: input.taskQueues?.cpu ?? taskQueue, gpu: input.taskQueues?.gpu ?? queues.gpu },
  };
  const parsed = compressModelInputSchema.parse(withQueues);
  const modelName =
    parsed.modelName ??
    parsed.model
      .split('/')
      .pop()!
      .replace(/\.onnx$/, '');
  return client.workflow.start<typeof compressModel>('compressModel', {
    taskQueue,
    workflowId: options.workflowId ?? `compress-${modelName}-${Date.now().toString(36)}`,
    args: [withQueues],
    typedSearchAttributes: new TypedSearchAttributes([
      { key: searchKeys.model, value: modelName },
      { key: searchKeys.planner, value: parsed.planner.kind },
      { key: searchKeys.stage, value: 'starting' },
    ]),
  });
}

/** The run's `progress` query. */
export function queryProgress(handle: WorkflowHandle): Promise<CompressProgress> {
  return handle.query<CompressProgress>('progress');
}
