import { z } from 'zod';
import { loadConfig } from '../runtime/config';
import { createStagepruneWorker } from './create-worker';

const workerEnvSchema = z.object({
  STAGEPRUNE_WORKER_ACTIVITIES: z.coerce.number().int().min(1).max(256).optional(),
  /** Local artifact cache and trainer scratch space (default .stageprune/work). */
  STAGEPRUNE_WORK_DIR: z.string().min(1).optional(),
});

/**
 * Runs one worker until SIGINT/SIGTERM, then lets running activities finish (graceful shutdown is the
 * SDK's: it stops polling and waits up to shutdownGraceTime).
 */
export async function runWorker(queue: 'cpu' | 'gpu', defaultConcurrency: number): Promise<void> {
  // The AWS SDK warns that future releases need Node 22; Node 20 is our pinned runtime.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const config = loadConfig();
  const env = workerEnvSchema.parse(process.env);
  const taskQueue = config.taskQueues[queue];
  const { worker, close } = await createStagepruneWorker({
    config,
    taskQueue,
    maxConcurrentActivities: env.STAGEPRUNE_WORKER_ACTIVITIES ?? defaultConcurrency,
    workDir: env.STAGEPRUNE_WORK_DIR,
  });
  console.log(`stageprune ${queue} worker polling ${taskQueue} at ${config.temporal.address}`);
  try {
    await worker.run();
  } finally {
    await close();
  }
  console.log(`stageprune ${queue} worker stopped`);
}
