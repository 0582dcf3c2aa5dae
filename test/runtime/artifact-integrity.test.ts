import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { s3Uri } from '../../common/artifact-ref';
import { encodeModel } from '../../core/onnx';
import { buildYoloV8, yolov8Spec } from '../../core/yolo';
import {
  ArtifactIntegrityError,
  LocalArtifactCache,
  S3ArtifactStore,
  createS3Client,
} from '../../runtime/artifacts';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * Every read of a content-addressed artifact is checked against its sha256 (issue 17): an object replaced
 * behind the store's back (a bad disk, a buggy writer, someone with bucket access) fails the read with the
 * typed, non-retryable ARTIFACT_INTEGRITY, whether it is named by reference or by URI.
 */
describe('artifact reads are verified against their sha256', () => {
  let env: TestStack;
  let s3: ReturnType<typeof createS3Client>;
  let store: S3ArtifactStore;
  let tamperedKey: string;
  let ref: Awaited<ReturnType<S3ArtifactStore['put']>>;

  before(async () => {
    env = await startTestStack();
    s3 = createS3Client(env.config.s3);
    store = new S3ArtifactStore(s3, env.config.s3.bucket);
    const spec = { ...yolov8Spec('n', { nc: 3, imgsz: 64 }), widthMultiple: 0.25 };
    const model = encodeModel(buildYoloV8(spec, { seed: 0 }));
    ref = await store.put(model);
    tamperedKey = ref.key;
    // Replace the object's bytes in place (one flipped byte), bypassing the store's conditional put.
    const bad = Buffer.from(model);
    bad[bad.length - 10] = bad[bad.length - 10]! ^ 0xff;
    await s3.send(new PutObjectCommand({ Bucket: ref.bucket, Key: ref.key, Body: bad }));
  });
  after(async () => {
    s3?.destroy();
    await env?.destroy();
  });

  test('get(ref) fails with ARTIFACT_INTEGRITY', async () => {
    await assert.rejects(store.get(ref), (e: unknown) => e instanceof ArtifactIntegrityError);
  });

  test('getObject on a content-addressed key fails with ARTIFACT_INTEGRITY', async () => {
    await assert.rejects(
      store.getObject(ref.bucket, tamperedKey),
      (e: unknown) => e instanceof ArtifactIntegrityError && e.code === 'ARTIFACT_INTEGRITY',
    );
  });

  test('a run importing the tampered model by URI fails typed and non-retryable', async () => {
    const workDir = path.join(env.stateDir, 'work');
    const acts = createActivities({ store, cache: new LocalArtifactCache(store, workDir), workDir });
    const menv = new MockActivityEnvironment({ workflowExecution: { workflowId: 'tampered', runId: 'r' } });
    const err = await (menv.run(acts.importModel, { uri: s3Uri(ref) }) as Promise<unknown>).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.type, 'ARTIFACT_INTEGRITY');
    assert.equal(err.nonRetryable, true);
  });

  test('the local cache never keeps a file that failed verification', async () => {
    const cache = new LocalArtifactCache(store, path.join(env.stateDir, 'cache'));
    await assert.rejects(cache.file(ref), ArtifactIntegrityError);
    assert.equal(fs.existsSync(path.join(cache.root, 'sha256', `${ref.sha256}.onnx`)), false);
  });

  test('named (not content-addressed) objects are read as they are', async () => {
    await store.putObject('datasets/x/readme.txt', new TextEncoder().encode('hello'));
    assert.equal(
      new TextDecoder().decode(await store.getObject(store.bucket, 'datasets/x/readme.txt')),
      'hello',
    );
  });
});
