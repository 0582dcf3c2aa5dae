import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { LocalArtifactCache, S3ArtifactStore, createS3Client } from '../runtime/artifacts';
import type { StagepruneConfig } from '../runtime/config';
import { stateDir } from '../runtime/paths';
import { temporalConnectionOptions } from '../runtime/temporal-connection';

/**
 * Worker Versioning (worker deployments): every worker of one build carries the same deployment version
 * (`name.buildId`), the cpu and gpu workers of a build together. With `pinned` a run stays on the build it
 * started on, so a deploy never replays an old history on new workflow code; the new build takes new runs
 * once it is made current (docs/OPERATIONS.md).
 */
export interface WorkerDeployment {
  name: string;
  buildId: string;
  versioning: 'off' | 'pinned' | 'auto-upgrade';
}

export interface StagepruneWorkerOptions {
  config: StagepruneConfig;
  taskQueue: string;
  /** Concurrent activity executions; scans fan out as far as this allows per worker. */
  maxConcurrentActivities?: number;
  maxConcurrentWorkflowTasks?: number;
  /** How long running activities get to finish after a shutdown signal. */
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  /** Local cache and trainer scratch space; default .stageprune/work. */
  workDir?: string;
  /** A ready workflow bundle (tests share one across workers to save the bundling time). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Build ID and Worker Versioning; without it the worker is unversioned. */
  deployment?: WorkerDeployment;
}

/** The SDK's worker deployment options for a deployment setting. */
export function workerDeploymentOptions(d: WorkerDeployment): WorkerOptions['workerDeploymentOptions'] {
  const version = { deploymentName: d.name, buildId: d.buildId };
  if (d.versioning === 'off') return { version, useWorkerVersioning: false };
  return {
    version,
    useWorkerVersioning: true,
    defaultVersioningBehavior: d.versioning === 'pinned' ? 'PINNED' : 'AUTO_UPGRADE',
  };
}

/** A worker with every workflow and all activities wired to their clients. The caller runs and closes it. */
export async function createStagepruneWorker(
  o: StagepruneWorkerOptions,
): Promise<{ worker: Worker; close: () => Promise<void> }> {
  const connection = await NativeConnection.connect(temporalConnectionOptions(o.config.temporal));
  const s3 = createS3Client(o.config.s3);
  const store = new S3ArtifactStore(s3, o.config.s3.bucket);
  const workRoot = o.workDir ?? path.join(stateDir, 'work');
  const activities = createActivities({
    store,
    cache: new LocalArtifactCache(store, path.join(workRoot, 'cache')),
    workDir: workRoot,
    inputBuckets: o.config.s3.inputBuckets,
  });
  const worker = await Worker.create({
    connection,
    namespace: o.config.temporal.namespace,
    taskQueue: o.taskQueue,
    activities,
    ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath: workflowsPath() }),
    maxConcurrentActivityTaskExecutions: o.maxConcurrentActivities ?? 4,
    maxConcurrentWorkflowTaskExecutions: o.maxConcurrentWorkflowTasks ?? 20,
    shutdownGraceTime: o.shutdownGraceTime ?? '30 seconds',
    // Heartbeat details are the fine-tune's progress in the UI and the CLI: the SDK's default sends them at
    // most once a minute, stale for a progress line; every 10 s is still a small load on the server.
    maxHeartbeatThrottleInterval: '10 seconds',
    ...(o.deployment ? { workerDeploymentOptions: workerDeploymentOptions(o.deployment) } : {}),
  });
  return {
    worker,
    close: async () => {
      s3.destroy();
      await connection.close();
    },
  };
}

export function workflowsPath(): string {
  return path.join(__dirname, '..', 'workflows', 'index.ts');
}
