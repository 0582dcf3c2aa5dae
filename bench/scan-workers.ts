// Sensitivity-scan wall time with 1 and with 2 stageprune-cpu worker processes on the same machine, same
// scan; each worker runs one activity at a time and each onnxruntime session uses one thread.
// Run: npx tsx bench/scan-workers.ts [--images 8] [--imgsz 320] [--ratios 0.3,0.6]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { encodeModel } from '../core/onnx';
import { buildYoloV8, yolov8Spec } from '../core/yolo';
import { S3ArtifactStore, createS3Client, uploadDatasetFolder, uploadModelFile } from '../runtime/artifacts';
import { miniBccd } from '../test/support/mini-bccd';
import { startTestStack } from '../test/support/test-stack';
import { WorkerProcess } from '../test/support/worker-process';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      images: { type: 'string', default: '8' },
      imgsz: { type: 'string', default: '320' },
      ratios: { type: 'string', default: '0.3,0.6' },
    },
  });
  const imgsz = Number(values.imgsz);
  const env = await startTestStack();
  const connection = await Connection.connect({ address: env.config.temporal.address });
  const client = new Client({ connection });
  const s3 = createS3Client(env.config.s3);
  const store = new S3ArtifactStore(s3, env.config.s3.bucket);
  try {
    const modelFile = path.join(env.stateDir, 'yolov8n.onnx');
    fs.writeFileSync(modelFile, encodeModel(buildYoloV8(yolov8Spec('n', { nc: 3, imgsz }), { seed: 0 })));
    const model = await uploadModelFile(store, modelFile);
    const data = await uploadDatasetFolder(
      store,
      miniBccd(path.join(env.stateDir, 'bccd'), Number(values.images)),
    );
    const results: { workers: number; seconds: number; points: number }[] = [];
    for (const n of [1, 2]) {
      // A fresh work dir per round: the memo and cache of round 1 must not serve round 2.
      const queue = `scan-bench-${n}`;
      const config = { ...env.config, taskQueues: { cpu: queue, gpu: queue } };
      const workers = Array.from(
        { length: n },
        (_, i) =>
          new WorkerProcess(
            'cpu',
            config,
            path.join(env.stateDir, `work-${n}-${i}`),
            path.join(env.stateDir, `w${n}-${i}.log`),
          ),
      );
      process.env.STAGEPRUNE_WORKER_ACTIVITIES = '1';
      for (const w of workers) w.start();
      const prefix = `scan-bench-${n}`;
      const handle = await client.workflow.start('compressModel', {
        taskQueue: queue,
        workflowId: `${prefix}-${Date.now()}`,
        args: [
          {
            model,
            data,
            planner: {
              kind: 'sensitivity',
              scanRatios: values.ratios!.split(',').map(Number),
              calibrationImages: Number(values.images),
              concurrency: 8,
            },
            target: { flopsReduction: 0.05 },
            finetune: { epochs: 0 },
            evaluation: { latencyRuns: 1 },
            modelName: prefix,
            taskQueues: { cpu: queue, gpu: queue },
          },
        ],
      });
      const result = (await handle.result()) as {
        stepSeconds: Record<string, number>;
        artifacts: { sensitivity?: unknown };
      };
      const scanSeconds = result.stepSeconds['planning'] ?? NaN;
      const scan = JSON.parse(
        new TextDecoder().decode(
          await store.get(result.artifacts.sensitivity as Parameters<typeof store.get>[0]),
        ),
      ) as { points: unknown[] };
      results.push({ workers: n, seconds: scanSeconds, points: scan.points.length });
      for (const w of workers) await w.stop();
      // Clear the memo so the second round recomputes every point.
      const memo = await store.list(env.config.s3.bucket, 'memo/');
      for (let i = 0; i < memo.length; i += 500) {
        await s3.send(
          new DeleteObjectsCommand({
            Bucket: env.config.s3.bucket,
            Delete: { Objects: memo.slice(i, i + 500).map((o) => ({ Key: o.key })) },
          }),
        );
      }
    }
    const [one, two] = results;
    console.log(
      JSON.stringify({ imgsz, images: Number(values.images), results, speedup: one!.seconds / two!.seconds }),
    );
  } finally {
    s3.destroy();
    await connection.close();
    await env.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
