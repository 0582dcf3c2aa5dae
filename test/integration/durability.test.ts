import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { startCompression, type CompressModelInput } from '../../clients';
import type { FinetuneHeartbeat } from '../../activities/compress/finetune';
import { managedProcess, stopProcess } from '../../infra/stack/process-supervisor';
import { recordRun } from '../support/record-history';
import { pollUntil } from '../support/deadline';
import { startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';
import { WorkerProcess } from '../support/worker-process';

function input(p: PipelineEnv, finetune: CompressModelInput['finetune']): CompressModelInput {
  return {
    model: p.modelUri,
    data: p.dataUri,
    modelName: 'tiny',
    finetune: { batch: 4, device: 'cpu', ...finetune },
    evaluation: { provider: 'cpu', latencyRuns: 2 },
    taskQueues: { cpu: p.env.config.taskQueues.cpu, gpu: p.env.config.taskQueues.gpu },
  };
}

/** The finetune activity's last heartbeat, once it names a stored checkpoint. */
async function finetuneHeartbeat(handle: WorkflowHandle): Promise<FinetuneHeartbeat | undefined> {
  const desc = await handle.describe();
  for (const a of desc.raw.pendingActivities ?? []) {
    if (a.activityType?.name !== 'finetune') continue;
    const payload = a.heartbeatDetails?.payloads?.[0];
    if (!payload?.data) return undefined;
    return JSON.parse(Buffer.from(payload.data).toString('utf8')) as FinetuneHeartbeat;
  }
  return undefined;
}

/** Polls with a deadline (test/support/deadline.ts): a failure names what was awaited and the last error. */
function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 180_000): Promise<T> {
  return pollUntil(what, probe, { timeoutMs, intervalMs: 250 });
}

async function recordHistory(handle: WorkflowHandle, name: string, address: string): Promise<void> {
  recordRun(address, handle.workflowId, name, ['plan', 'prune']);
}

describe('durability on the real stack', () => {
  let p: PipelineEnv;
  before(async () => {
    p = await startPipelineEnv();
  });
  after(async () => {
    await p?.close();
  });

  test('a gpu worker killed during finetune: the retry resumes from the last checkpoint and the run completes', async () => {
    const gpu = new WorkerProcess(
      'gpu',
      p.env.config,
      p.workDir,
      path.join(p.env.stateDir, 'gpu-worker.log'),
    );
    gpu.start();
    try {
      const handle = await startCompression(
        p.client,
        // 640 px makes each step of the 64-px tiny model slow enough to be caught mid-run.
        input(p, { epochs: 30, maxSteps: 40, imgsz: 640, checkpointEvery: 2, heartbeatTimeoutSeconds: 10 }),
        { taskQueue: p.env.config.taskQueues.cpu },
      );
      const result = await p.withWorkers(async () => {
        const beat = await until('a stored fine-tune checkpoint', async () => {
          const b = await finetuneHeartbeat(handle);
          return b?.checkpoint && b.step >= 4 ? b : undefined;
        });
        await gpu.kill();
        gpu.start();
        return { beat, result: await handle.result() };
      }, ['cpu']);
      const ft = result.result.finetune!;
      assert.ok(ft.attempt >= 2, `the finetune activity should have been retried, attempt ${ft.attempt}`);
      assert.ok(ft.resumedFromStep > 0, 'the retried trainer must resume from a checkpoint, not step 0');
      assert.ok(ft.resumedFromStep >= result.beat.step - 2);
      assert.equal(ft.steps, 40);
      await recordHistory(handle, 'compress-model-worker-killed', p.env.config.temporal.address);
    } finally {
      await gpu.stop();
    }
  });

  test('a Temporal server restart mid-run: the run completes and no completed activity ran twice', async () => {
    const handle = await startCompression(
      p.client,
      input(p, { epochs: 30, maxSteps: 12, imgsz: 640, checkpointEvery: 4 }),
      {
        taskQueue: p.env.config.taskQueues.cpu,
      },
    );
    await p.withWorkers(async () => {
      await until('fine-tuning to start', async () => ((await finetuneHeartbeat(handle)) ? true : undefined));
      await stopProcess(managedProcess(p.env.stateDir, 'temporal'));
      await p.env.stack.up(); // same SQLite file: the run's history comes back
      await handle.result();
    });
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes);
    const completed = events.filter((e) => e.activityTaskCompletedEventAttributes);
    assert.equal(completed.length, scheduled.length, 'every scheduled activity completed exactly once');
    for (const e of events.filter((x) => x.activityTaskStartedEventAttributes)) {
      assert.equal(e.activityTaskStartedEventAttributes!.attempt, 1, 'no activity needed a second attempt');
    }
    await recordHistory(handle, 'compress-model-server-restart', p.env.config.temporal.address);
  });
});
