import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { contentKey } from '../../common/artifact-ref';
import { S3ArtifactStore, createS3Client } from '../../runtime/artifacts';
import { createStagepruneWorker } from '../../workers/create-worker';
import { pingPipeline } from '../../workflows';
import { installWorkerRuntime } from '../../workers/runtime-logging';
import { startTestStack, type TestStack } from '../support/test-stack';

describe('pingPipeline against the real Temporal dev server and MinIO', () => {
  let env: TestStack;
  let connection: Connection;
  let client: Client;

  before(async () => {
    await installWorkerRuntime('WARN');
    env = await startTestStack();
    connection = await Connection.connect({ address: env.config.temporal.address });
    client = new Client({ connection, namespace: env.config.temporal.namespace });
  });

  after(async () => {
    await connection?.close();
    await env?.destroy();
  });

  async function withWorker<T>(taskQueue: string, fn: () => Promise<T>): Promise<T> {
    const { worker, close } = await createStagepruneWorker({ config: env.config, taskQueue });
    try {
      return await worker.runUntil(fn());
    } finally {
      await close();
    }
  }

  test('writes an artifact to S3 and reads it back by content hash', async () => {
    const taskQueue = 'test-ping';
    const text = `hello from the ping test ${Date.now()}`;
    const result = await withWorker(taskQueue, () =>
      client.workflow.execute(pingPipeline, {
        taskQueue,
        workflowId: `ping-${Date.now()}`,
        args: [{ text }],
      }),
    );
    const sha256 = createHash('sha256').update(text).digest('hex');
    assert.equal(result.roundTripOk, true);
    assert.equal(result.echoed, text);
    assert.equal(result.ref.sha256, sha256);
    assert.equal(result.ref.key, contentKey(sha256));
    assert.equal(result.ref.bucket, env.config.s3.bucket);

    // The object is really in the S3 server, under its content key, with the same bytes.
    const s3 = createS3Client(env.config.s3);
    try {
      const obj = await s3.send(new GetObjectCommand({ Bucket: result.ref.bucket, Key: result.ref.key }));
      assert.equal(await obj.Body!.transformToString(), text);
    } finally {
      s3.destroy();
    }
  });

  test('a bucket that does not exist is BUCKET_MISSING naming it, on write and on read', async () => {
    const s3 = createS3Client(env.config.s3);
    const store = new S3ArtifactStore(s3, 'no-such-bucket-here');
    try {
      const missing = { code: 'BUCKET_MISSING', message: /'no-such-bucket-here' does not exist/ };
      await assert.rejects(store.put(new TextEncoder().encode('x')), missing);
      await assert.rejects(store.getObject('no-such-bucket-here', 'some/key'), missing);
    } finally {
      s3.destroy();
    }
  });

  test('an input error fails the workflow at once as a non-retryable failure with a stable type', async () => {
    const taskQueue = 'test-ping-bad';
    const err = await withWorker(taskQueue, () =>
      client.workflow
        .execute(pingPipeline, { taskQueue, workflowId: `ping-bad-${Date.now()}`, args: [{ text: '' }] })
        .then(
          () => undefined,
          (e: unknown) => e,
        ),
    );
    assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(err)}`);
    assert.ok(err.cause instanceof ActivityFailure);
    const app = err.cause.cause;
    assert.ok(app instanceof ApplicationFailure);
    assert.equal(app.type, 'INVALID_INPUT');
    assert.equal(app.nonRetryable, true);
  });
});
