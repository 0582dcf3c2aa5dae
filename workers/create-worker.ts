import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { LocalArtifactCache, S3ArtifactStore, createS3Client } from '../runtime/artifacts';
import type { StagepruneConfig } from '../runtime/config';
import { stateDir } from '../runtime/paths';

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
}

/** A worker with every workflow and all activities wired to their clients. The caller runs and closes it. */
export async function createStagepruneWorker(
  o: StagepruneWorkerOptions,
): Promise<{ worker: Worker; close: () => Promise<void> }> {
  const connection = await NativeConnection.connect({ address: o.config.temporal.address });
  const s3 = createS3Client(o.config.s3);
  const store = new S3ArtifactStore(s3, o.config.s3.bucket);
  const workRoot = o.workDir ?? path.join(stateDir, 'work');
  const activities = createActivities({
    store,
    cache: new LocalArtifactCache(store, path.join(workRoot, 'cache')),
    workDir: workRoot,
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
