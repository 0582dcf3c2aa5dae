import { z } from 'zod';
import { avoidExitDeadlock } from '../bin/exit-deadlock.cjs';
import { loadConfig } from '../runtime/config';
import { createStagepruneWorker, type WorkerDeployment } from './create-worker';
import { installProcessGuard } from './process-guard';

const workerEnvSchema = z.object({
  STAGEPRUNE_WORKER_ACTIVITIES: z.coerce.number().int().min(1).max(256).optional(),
  /** Local artifact cache and trainer scratch space (default .stageprune/work). */
  STAGEPRUNE_WORK_DIR: z.string().min(1).optional(),
  /** How long running activities get after SIGTERM; keep it below the pod's termination grace period. */
  STAGEPRUNE_WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(86_400).optional(),
  /** Worker Versioning: the deployment this worker belongs to and its build (e.g. the image's git SHA). */
  STAGEPRUNE_WORKER_DEPLOYMENT: z.string().min(1).max(255).optional(),
  STAGEPRUNE_WORKER_BUILD_ID: z.string().min(1).max(255).optional(),
  /**
   * `pinned`: a run stays on the build it started on (the default once a build ID is set); `auto-upgrade`:
   * runs move to the current build; `off`: the build ID is reported only, tasks go to any worker.
   */
  STAGEPRUNE_WORKER_VERSIONING: z.enum(['off', 'pinned', 'auto-upgrade']).optional(),
});

export type WorkerEnv = z.infer<typeof workerEnvSchema>;

/** The Worker Versioning settings the environment asks for, or undefined when it names no build. */
export function deploymentFromEnv(env: WorkerEnv): WorkerDeployment | undefined {
  if (!env.STAGEPRUNE_WORKER_BUILD_ID) {
    if (env.STAGEPRUNE_WORKER_VERSIONING && env.STAGEPRUNE_WORKER_VERSIONING !== 'off') {
      throw new Error(
        `STAGEPRUNE_WORKER_VERSIONING=${env.STAGEPRUNE_WORKER_VERSIONING} needs STAGEPRUNE_WORKER_BUILD_ID`,
      );
    }
    return undefined;
  }
  return {
    name: env.STAGEPRUNE_WORKER_DEPLOYMENT ?? 'stageprune',
    buildId: env.STAGEPRUNE_WORKER_BUILD_ID,
    versioning: env.STAGEPRUNE_WORKER_VERSIONING ?? 'pinned',
  };
}

/**
 * Runs one worker until SIGINT/SIGTERM, then lets running activities finish (graceful shutdown is the
 * SDK's: it stops polling and waits up to shutdownGraceTime).
 */
export async function runWorker(queue: 'cpu' | 'gpu', defaultConcurrency: number): Promise<void> {
  // First, before anything can fail asynchronously: one activity's stray error must not end the process.
  installProcessGuard();
  // And no background compile job may be able to hang the process when it exits.
  avoidExitDeadlock();
  const config = loadConfig();
  const env = workerEnvSchema.parse(process.env);
  const taskQueue = config.taskQueues[queue];
  const deployment = deploymentFromEnv(env);
  const { worker, close } = await createStagepruneWorker({
    config,
    taskQueue,
    maxConcurrentActivities: env.STAGEPRUNE_WORKER_ACTIVITIES ?? defaultConcurrency,
    workDir: env.STAGEPRUNE_WORK_DIR,
    ...(env.STAGEPRUNE_WORKER_SHUTDOWN_GRACE_SECONDS !== undefined
      ? { shutdownGraceTime: `${env.STAGEPRUNE_WORKER_SHUTDOWN_GRACE_SECONDS} seconds` }
      : {}),
    ...(deployment ? { deployment } : {}),
  });
  const version = deployment
    ? `  build ${deployment.name}.${deployment.buildId} (${deployment.versioning})`
    : '';
  console.log(`stageprune ${queue} worker polling ${taskQueue} at ${config.temporal.address}${version}`);
  try {
    await worker.run();
  } finally {
    await close();
  }
  console.log(`stageprune ${queue} worker stopped`);
}
