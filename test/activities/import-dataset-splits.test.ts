// importDataset fixes which images do what from the data set's own file list: defaults by the splits it has (no
// test: evaluation on val, fine-tune on train), a selection split only for runs that choose on one, and a split
// the data set lacks refused in the first step, naming the splits it has.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { RunSplits, SplitSettings } from '../../common/data-split';
import { LocalArtifactCache } from '../../runtime/artifacts';
import { MemoryStore } from '../support/memory-store';

function withFiles(keys: string[]) {
  const store = new MemoryStore();
  for (const key of keys) store.objects.set(`data/${key}`, new Uint8Array([1]));
  const acts = createActivities({
    store,
    cache: new LocalArtifactCache(store, '/nonexistent'),
    workDir: '/nonexistent',
  });
  const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'run-a', runId: 'r' } });
  return (splits: Partial<SplitSettings>, choosesOnSelection: boolean) =>
    env.run(acts.importDataset, {
      uri: 's3://stageprune/data/',
      splits: { selectionImages: 64, selectionSeed: 0, ...splits },
      choosesOnSelection,
    }) as Promise<{ splits?: RunSplits }>;
}

const roboflow = ['data.yaml', 'train/images/a.jpg', 'train/labels/a.txt', 'valid/images/b.jpg'];
const voc = [
  'Annotations/a.xml',
  'ImageSets/Main/train.txt',
  'ImageSets/Main/val.txt',
  'ImageSets/Main/test.txt',
];

test('a Roboflow export: evaluation on val (no test split), the fine-tune on all of train when nothing chooses', async () => {
  const { splits } = await withFiles(roboflow)({}, false);
  assert.deepEqual(splits, {
    finetune: 'train',
    evaluation: 'val',
    reasons: {
      evaluation: "the data set has no test split: val, as ultralytics' val reads it",
      finetune: 'evaluation reads val',
    },
  });
});

test('a run that chooses gets its selection held out of the fine-tune split, and only then', async () => {
  const { splits } = await withFiles(voc)({}, true);
  assert.deepEqual(splits?.selection, { of: 'trainval', holdOut: 64, seed: 0, part: 'held' });
  assert.deepEqual(splits?.finetune, { of: 'trainval', holdOut: 64, seed: 0, part: 'rest' });
  assert.equal(splits?.evaluation, 'test');
  assert.equal((await withFiles(voc)({}, false)).splits?.selection, undefined);
});

test('a split the data set lacks fails at import, non-retryable, naming the splits it has', async () => {
  const err = await withFiles(voc.filter((k) => !k.endsWith('test.txt')))({ evaluation: 'test' }, false).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApplicationFailure, String(err));
  assert.equal(err.type, 'DATASET_SPLIT_MISSING');
  assert.equal(err.nonRetryable, true);
  assert.match(err.message, /no evaluation: test split .*the data set has train, val/);
});
