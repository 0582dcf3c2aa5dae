import type { WorkflowClient } from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { amcProgressQuery } from '../workflows/amc-search';
import { scanProgressQuery } from '../workflows/scan-sensitivity';

/** An activity a run is executing now, with the details it last heartbeated (e.g. `TrainingProgress`). */
export interface PendingActivity {
  type: string;
  attempt: number;
  details?: unknown;
}

/** One open workflow of a run (the run itself or a child), what it is executing now, and its open children. */
export interface RunNode {
  workflowId: string;
  workflowType: string;
  activities: PendingActivity[];
  /** The answer of the workflow's own progress query, for the children that have one (AMC, the scan). */
  progress?: unknown;
  children: RunNode[];
}

/** The child workflows that answer a progress query, by workflow type. */
const PROGRESS_QUERIES: Readonly<Record<string, string>> = {
  amcSearch: amcProgressQuery.name,
  scanSensitivity: scanProgressQuery.name,
};

/** compressModel → planner → search or scan: deeper trees are not started. */
const MAX_DEPTH = 4;

/**
 * What an open run is doing below its `progress` query: its pending activities with their heartbeat details
 * and its open children, recursively (from `describe()`, which reports both). Undefined once the run closed.
 */
export async function describeRunActivity(
  client: WorkflowClient,
  workflowId: string,
  depth = 0,
): Promise<RunNode | undefined> {
  // The latest run of the ID: a search that continued as new goes on under the same workflow ID.
  const handle = client.getHandle(workflowId);
  const desc = await handle.describe();
  if (desc.status.name !== 'RUNNING') return undefined;
  const converter = client.options.loadedDataConverter;
  const activities = await Promise.all(
    (desc.raw.pendingActivities ?? []).map(async (a) => {
      const [details] = await decodeArrayFromPayloads(converter, a.heartbeatDetails?.payloads).catch(
        () => [],
      );
      return {
        type: a.activityType?.name ?? '?',
        attempt: a.attempt ?? 1,
        ...(details !== undefined ? { details } : {}),
      };
    }),
  );
  const children =
    depth + 1 < MAX_DEPTH
      ? await Promise.all(
          (desc.raw.pendingChildren ?? []).map((c) =>
            c.workflowId
              ? describeRunActivity(client, c.workflowId, depth + 1).catch(() => undefined)
              : undefined,
          ),
        )
      : [];
  const query = PROGRESS_QUERIES[desc.type];
  const progress = query ? await handle.query(query).catch(() => undefined) : undefined;
  return {
    workflowId,
    workflowType: desc.type,
    activities,
    ...(progress !== undefined ? { progress } : {}),
    children: children.filter((c): c is RunNode => c !== undefined),
  };
}
