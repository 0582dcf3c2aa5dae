import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { RunScopedStore } from '../../activities/run-scoped-store';
import { runPrefix } from '../../common/run-prefix';
import type { ArtifactStore } from '../../runtime/artifacts';
import { LocalArtifactCache } from '../../runtime/artifacts';

/** A store that records named writes and answers every read with a marker error (nothing is stored). */
function recordingStore(bucket = 'stageprune'): ArtifactStore & { writes: string[] } {
  const writes: string[] = [];
  const unreachable = () => Promise.reject(new Error('READ_REACHED'));
  return {
    bucket,
    writes,
    put: unreachable,
    get: unreachable,
    exists: unreachable,
    getJson: unreachable,
    getObject: unreachable,
    list: unreachable,
    putJson: (key: string) => {
      writes.push(key);
      return Promise.resolve();
    },
    putObject: (key: string) => {
      writes.push(key);
      return Promise.resolve();
    },
  };
}

function activities(store: ArtifactStore, inputBuckets?: string[]) {
  return createActivities({
    store,
    cache: new LocalArtifactCache(store, '/nonexistent'),
    workDir: '/nonexistent',
    ...(inputBuckets ? { inputBuckets } : {}),
  });
}

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(err)}`);
  return err;
}

const menv = () => new MockActivityEnvironment({ workflowExecution: { workflowId: 'run-a', runId: 'r' } });

describe('inputs outside the configured buckets are refused', () => {
  for (const [activity, uri] of [
    ['importModel', 's3://someone-elses-bucket/models/m.onnx'],
    ['importDataset', 's3://someone-elses-bucket/datasets/bccd/'],
  ] as const) {
    test(`${activity} refuses ${uri} with INPUT_URI_FORBIDDEN, non-retryable, before reading anything`, async () => {
      const acts = activities(recordingStore());
      const f = await failureOf(menv().run(acts[activity], { uri }) as Promise<unknown>);
      assert.equal(f.type, 'INPUT_URI_FORBIDDEN');
      assert.equal(f.nonRetryable, true);
      assert.match(f.message, /someone-elses-bucket/);
    });
  }

  test('the artifact bucket is allowed by default, and more buckets when configured', async () => {
    const readReached = async (p: Promise<unknown>) =>
      assert.match(
        String(
          await p.then(
            () => '',
            (e: unknown) => (e as Error).message,
          ),
        ),
        /READ_REACHED/,
      );
    await readReached(
      menv().run(activities(recordingStore()).importModel, {
        uri: 's3://stageprune/m.onnx',
      }) as Promise<unknown>,
    );
    await readReached(
      menv().run(activities(recordingStore(), ['stageprune', 'datasets-ro']).importDataset, {
        uri: 's3://datasets-ro/bccd/',
      }) as Promise<unknown>,
    );
  });
});

describe('activities write named objects only under their own run prefix', () => {
  test('own prefix and memo/ are writable; another run, the bucket root and a slash-ID trick are not', async () => {
    const inner = recordingStore();
    const store = new RunScopedStore(inner);
    const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'run-a', runId: 'r' } });
    await env.run(async () => {
      await store.putJson(`${runPrefix('run-a')}manifest.json`, {});
      await store.putJson('memo/v2/finetune/abc.json', {});
      for (const key of ['runs/run-b/manifest.json', 'report.md', 'runs/run-a-evil/x', 'artifacts/x']) {
        await assert.rejects(store.putObject(key, new Uint8Array()), { code: 'WRITE_OUTSIDE_RUN_PREFIX' });
      }
    });
    assert.deepEqual(inner.writes, ['runs/run-a/manifest.json', 'memo/v2/finetune/abc.json']);
    // A workflow ID with a slash gets its own encoded prefix, never a folder inside another run's.
    assert.equal(runPrefix('run-a/b'), 'runs/run-a%2Fb/');
    const slash = new MockActivityEnvironment({ workflowExecution: { workflowId: 'run-a/b', runId: 'r' } });
    await slash.run(async () => {
      await assert.rejects(store.putJson('runs/run-a/b/manifest.json', {}), {
        code: 'WRITE_OUTSIDE_RUN_PREFIX',
      });
    });
  });
});
