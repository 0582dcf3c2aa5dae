import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities, PingArtifactResult } from '../activities';
import { shortActivity } from './activity-options';

export interface PingPipelineInput {
  text?: string;
  /** Task queue of the cpu activities; defaults to the workflow's own queue. */
  cpuTaskQueue?: string;
}

export interface PingPipelineResult extends PingArtifactResult {
  roundTripOk: boolean;
}

/** The first end-to-end slice: one activity writes an artifact to S3 and reads it back by content hash. */
export async function pingPipeline(input: PingPipelineInput = {}): Promise<PingPipelineResult> {
  const { pingArtifact } = proxyActivities<Activities>({
    ...shortActivity,
    taskQueue: input.cpuTaskQueue ?? workflowInfo().taskQueue,
  });
  const text = input.text ?? `stageprune ping from ${workflowInfo().workflowId}`;
  const result = await pingArtifact({ text });
  return { ...result, roundTripOk: result.echoed === text };
}
