import type { Client, WorkflowHandle } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { compressModelInputSchema, type CompressModelInput } from '../common/compress-input';
import type { CompressProgress } from '../common/compress-result';
import { TASK_QUEUES } from '../common/constants';
import { searchKeys } from '../common/search-attributes';
import type { compressModel } from '../workflows/compress-model';

export interface StartCompressionOptions {
  workflowId?: string;
  /** The queue the workflow itself runs on; default stageprune-cpu. */
  taskQueue?: string;
}

/**
 * Starts `compressModel` from another service. The input is validated here first (the workflow checks it
 * again), so a bad request fails in the caller, not as a failed run.
 */
export async function startCompression(
  client: Client,
  input: CompressModelInput,
  options: StartCompressionOptions = {},
): Promise<WorkflowHandle<typeof compressModel>> {
  const parsed = compressModelInputSchema.parse(input);
  const modelName =
    parsed.modelName ??
    parsed.model
      .split('/')
      .pop()!
      .replace(/\.onnx$/, '');
  return client.workflow.start<typeof compressModel>('compressModel', {
    taskQueue: options.taskQueue ?? TASK_QUEUES.cpu,
    workflowId: options.workflowId ?? `compress-${modelName}-${Date.now().toString(36)}`,
    args: [input],
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
