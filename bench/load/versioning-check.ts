// Worker Versioning on the production-profile stack: a run pinned to build v1 keeps running on v1 after
// build v2 is deployed and made current, and a new run starts on v2. Run with the stack up (bench/load/run.sh
// sets the ports; KEEP_STACK=1), e.g.:
//   source bench/load/ports.sh && npx tsx bench/load/versioning-check.ts
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectClient, startCompression, type CompressModelInput } from '../../clients';
import { encodeModel } from '../../core/onnx';
import { buildYoloV8, yolov8Spec } from '../../core/yolo';
import {
  S3ArtifactStore,
  createS3Client,
  uploadDatasetFolder,
  uploadModelFile,
} from '../../runtime/artifacts';
import { loadConfig } from '../../runtime/config';
import { repoRoot } from '../../runtime/paths';
import { miniBccd } from '../../test/support/mini-bccd';

const queues = { cpu: 'versioning-cpu', gpu: 'versioning-gpu' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startWorkers(buildId: string, logDir: string): ChildProcess[] {
  return (['cpu', 'gpu'] as const).map((q) => {
    const log = fs.openSync(path.join(logDir, `${q}-${buildId}.log`), 'a');
    return spawn(process.execPath, ['--import', 'tsx', path.join('workers', `${q}-worker.ts`)], {
      cwd: repoRoot,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        STAGEPRUNE_CPU_QUEUE: queues.cpu,
        STAGEPRUNE_GPU_QUEUE: queues.gpu,
        STAGEPRUNE_WORKER_DEPLOYMENT: 'stageprune-check',
        STAGEPRUNE_WORKER_BUILD_ID: buildId,
        STAGEPRUNE_WORKER_VERSIONING: 'pinned',
        STAGEPRUNE_WORK_DIR: path.join(logDir, `work-${q}-${buildId}`),
      },
    });
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const { client, close } = await connectClient(config);
  const s3 = createS3Client(config.s3);
  const store = new S3ArtifactStore(s3, config.s3.bucket);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-versioning-'));
  const procs: ChildProcess[] = [];
  const setCurrent = async (buildId: string) => {
    // The version exists once its workers have polled; retry until the server knows it.
    for (let i = 0; ; i++) {
      try {
        await client.workflowService.setWorkerDeploymentCurrentVersion({
          namespace: config.temporal.namespace,
          deploymentName: 'stageprune-check',
          buildId,
          identity: 'versioning-check',
        });
        return;
      } catch (err) {
        if (i > 60) throw err;
        await sleep(1000);
      }
    }
  };
  const pinnedTo = async (id: string) => {
    const d = await client.workflow.getHandle(id).describe();
    const v = d.raw.workflowExecutionInfo?.versioningInfo;
    return { buildId: v?.deploymentVersion?.buildId ?? '(none)', behavior: v?.behavior };
  };
  try {
    const spec = { ...yolov8Spec('n', { nc: 3, imgsz: 64 }), widthMultiple: 0.25 };
    const file = path.join(tmp, 'tiny.onnx');
    fs.writeFileSync(file, encodeModel(buildYoloV8(spec, { seed: 4242 })));
    const input: CompressModelInput = {
      model: await uploadModelFile(store, file),
      data: await uploadDatasetFolder(store, miniBccd(path.join(tmp, 'mini-bccd'), 8)),
      modelName: 'versioning',
      finetune: { epochs: 1, maxSteps: 2, batch: 4, device: 'cpu', checkpointEvery: 1 },
      evaluation: { provider: 'cpu', latencyRuns: 1, maxImages: 2 },
      taskQueues: queues,
      // Waits for the approvePlan signal: the run is mid-flight while v2 is deployed.
      requireApproval: true,
    };
    procs.push(...startWorkers('v1', tmp));
    await setCurrent('v1');
    const stamp = Date.now().toString(36);
    const a = await startCompression(client, input, {
      workflowId: `versioning-a-${stamp}`,
      taskQueue: queues.cpu,
    });
    for (
      let i = 0;
      i < 120 && (await a.query<{ stage: string }>('progress')).stage !== 'awaiting-approval';
      i++
    ) {
      await sleep(1000);
    }
    console.log('run A waiting for approval on', await pinnedTo(a.workflowId));
    procs.push(...startWorkers('v2', tmp));
    await setCurrent('v2');
    const b = await startCompression(
      client,
      { ...input, requireApproval: false },
      { workflowId: `versioning-b-${stamp}`, taskQueue: queues.cpu },
    );
    await a.signal('approvePlan', { approved: true });
    await Promise.all([a.result(), b.result()]);
    const result = { a: await pinnedTo(a.workflowId), b: await pinnedTo(b.workflowId) };
    console.log(JSON.stringify(result));
    if (result.a.buildId !== 'v1' || result.b.buildId !== 'v2') {
      throw new Error('run A must finish on v1 and run B on v2');
    }
    console.log('ok: the running history stayed on v1 through the deploy of v2; the new run started on v2');
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    s3.destroy();
    await close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
