import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { encodeModel } from '../../core/onnx';
import { buildYoloV8, yolov8Spec } from '../../core/yolo';
import {
  S3ArtifactStore,
  createS3Client,
  uploadDatasetFolder,
  uploadModelFile,
} from '../../runtime/artifacts';
import { createStagepruneWorker } from '../../workers/create-worker';
import { miniBccd } from './mini-bccd';
import { installWorkerRuntime } from '../../workers/runtime-logging';
import { startTestStack, type TestStack } from './test-stack';
import { RUN_DEADLINE_MS, within } from './deadline';

/** A tiny train-form YOLOv8 (nc=3) at 64 px: every pipeline step takes seconds. */
export function tinyDetector(file: string, width = 0.25): string {
  const spec = { ...yolov8Spec('n', { nc: 3, imgsz: 64 }), widthMultiple: width };
  fs.writeFileSync(file, encodeModel(buildYoloV8(spec, { seed: 0 })));
  return file;
}

export interface PipelineEnv {
  env: TestStack;
  client: Client;
  store: S3ArtifactStore;
  modelUri: string;
  dataUri: string;
  workDir: string;
  /**
   * Runs fn while an in-process cpu and gpu worker poll their queues; fn fails with a DeadlineError after
   * `timeoutMs` (default RUN_DEADLINE_MS), so a stuck run fails the test instead of hanging it.
   */
  withWorkers<T>(fn: () => Promise<T>, queues?: ('cpu' | 'gpu')[], timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startPipelineEnv(overrides: NodeJS.ProcessEnv = {}): Promise<PipelineEnv> {
  await installWorkerRuntime('WARN');
  const env = await startTestStack(overrides);
  const workDir = path.join(env.stateDir, 'work');
  const connection = await Connection.connect({ address: env.config.temporal.address });
  const client = new Client({ connection, namespace: env.config.temporal.namespace });
  const s3 = createS3Client(env.config.s3);
  const store = new S3ArtifactStore(s3, env.config.s3.bucket);
  const modelUri = await uploadModelFile(store, tinyDetector(path.join(env.stateDir, 'tiny.onnx')));
  const dataUri = await uploadDatasetFolder(store, miniBccd(path.join(env.stateDir, 'mini-bccd'), 12));
  return {
    env,
    client,
    store,
    modelUri,
    dataUri,
    workDir,
    async withWorkers<T>(
      fn: () => Promise<T>,
      queues: ('cpu' | 'gpu')[] = ['cpu', 'gpu'],
      timeoutMs = RUN_DEADLINE_MS,
    ): Promise<T> {
      const workers: { worker: Worker; close: () => Promise<void> }[] = [];
      for (const q of queues) {
        workers.push(
          await createStagepruneWorker({ config: env.config, taskQueue: env.config.taskQueues[q], workDir }),
        );
      }
      try {
        let run: Promise<T> = within(
          `the test's work with the ${queues.join(' and ')} workers`,
          fn(),
          timeoutMs,
        );
        for (const w of workers) run = w.worker.runUntil(run);
        return await run;
      } finally {
        for (const w of workers) await w.close();
      }
    },
    async close() {
      s3.destroy();
      await connection.close();
      await env.destroy();
    },
  };
}
