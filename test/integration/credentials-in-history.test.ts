import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { startCompression, type CompressModelInput } from '../../clients';
import { createStagepruneWorker } from '../../workers/create-worker';
import { secretsIn } from '../support/history-text';
import { startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

const HISTORY_DIR = path.join(__dirname, '..', 'fixtures', 'histories');

/** The default root password of the local MinIO, which the recorded fixtures ran with. */
const LOCAL_DEFAULT_SECRET = 'stageprune-local-secret';

/**
 * S3 credentials never reach a workflow history (issue 17): not through an input, a result, a heartbeat, a
 * memo, a search attribute or a failure message. Payloads are scanned decoded.
 */
describe('S3 credentials never appear in a history', () => {
  const accessKey = `SPAK${randomBytes(8).toString('hex').toUpperCase()}`;
  const secret = `sp-secret-${randomBytes(16).toString('hex')}`;
  let p: PipelineEnv;

  before(async () => {
    p = await startPipelineEnv({ STAGEPRUNE_LOCAL_S3_USER: accessKey, STAGEPRUNE_LOCAL_S3_PASSWORD: secret });
  });
  after(async () => {
    await p?.close();
  });

  test('the recorded histories in test/fixtures/histories hold no credential', () => {
    const files = fs.readdirSync(HISTORY_DIR).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 2);
    for (const f of files) {
      const history: unknown = JSON.parse(fs.readFileSync(path.join(HISTORY_DIR, f), 'utf8'));
      const found = secretsIn(history, {
        'the local MinIO root password': LOCAL_DEFAULT_SECRET,
        AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
        STAGEPRUNE_LOCAL_S3_PASSWORD: process.env.STAGEPRUNE_LOCAL_S3_PASSWORD,
      });
      assert.deepEqual(found, [], `${f} holds ${found.join(', ')}`);
    }
  });

  function input(queues: { cpu: string; gpu: string }): CompressModelInput {
    return {
      model: p.modelUri,
      data: p.dataUri,
      modelName: 'tiny',
      finetune: { epochs: 1, maxSteps: 1, batch: 4, device: 'cpu', checkpointEvery: 1 },
      evaluation: { provider: 'cpu', latencyRuns: 1, maxImages: 2 },
      taskQueues: queues,
    };
  }

  test('a fresh run with distinctive credentials: none of them in its history', async () => {
    const handle = await startCompression(p.client, input(p.env.config.taskQueues), {
      taskQueue: p.env.config.taskQueues.cpu,
    });
    await p.withWorkers(() => handle.result());
    const history = await handle.fetchHistory();
    assert.ok((history.events ?? []).length > 20);
    assert.deepEqual(secretsIn(history, { accessKey, secret }), []);
  });

  test('a worker with a wrong secret: the failures in the history name neither key nor secret', async () => {
    const wrong = `sp-wrong-${randomBytes(16).toString('hex')}`;
    const queues = { cpu: 'creds-cpu', gpu: 'creds-gpu' };
    const config = {
      ...p.env.config,
      s3: { ...p.env.config.s3, credentials: { accessKeyId: accessKey, secretAccessKey: wrong } },
    };
    const worker = await createStagepruneWorker({ config, taskQueue: queues.cpu, workDir: p.workDir });
    try {
      const handle = await startCompression(p.client, input(queues), { taskQueue: queues.cpu });
      await assert.rejects(worker.worker.runUntil(handle.result()), WorkflowFailedError);
      const history = await handle.fetchHistory();
      const failures = (history.events ?? []).filter((e) => e.activityTaskFailedEventAttributes);
      assert.ok(failures.length > 0, 'the store refused the wrong secret');
      assert.deepEqual(secretsIn(history, { accessKey, secret, wrong }), []);
    } finally {
      await worker.close();
    }
  });
});
