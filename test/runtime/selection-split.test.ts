// The selection split: a seeded hold-out of the fine-tune split where the data set has none, computed the same
// way by the TypeScript loaders and the trainer, so choices are never made on images that are fine-tuned on or
// reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  resolveRunSplits,
  SplitOverlapError,
  type DataSplit,
  type SplitSettings,
} from '../../common/data-split';
import { bccdRoot, loadDataset, splitNamesInKeys } from '../../runtime/datasets';
import { fileStem, heldOutNames } from '../../runtime/datasets/hold-out';
import { repoRoot, venvPython } from '../../runtime/paths';
import { dataSpecForDir } from '../../cli/trainer-support';
import { trainerDataSpecForSplit } from '../../runtime/trainer/data-spec';

const settings = (o: Partial<SplitSettings> = {}): SplitSettings => ({
  selectionImages: 64,
  selectionSeed: 0,
  finetune: 'trainval',
  evaluation: 'test',
  ...o,
});

async function stemsOf(split: DataSplit): Promise<string[]> {
  const loaded = await loadDataset(bccdRoot(), { split, policy: 'skip' });
  return loaded.dataset.images.map((im) => fileStem(im.file));
}

/** The image stems the trainer's own data loader reads for a data spec (the project venv's Python). */
function trainerStems(spec: object): string[] {
  const code = [
    'import json, os, sys',
    'from stageprune_trainer.datasets import load_dataset',
    'ds = load_dataset(json.loads(sys.argv[1]), None)',
    'print(json.dumps([os.path.splitext(os.path.basename(s.path))[0] for s in ds.samples]))',
  ].join('\n');
  const out = execFileSync(venvPython(), ['-c', code, JSON.stringify(spec)], {
    cwd: path.join(repoRoot, 'trainer'),
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}

test('the hold-out takes the seeded first names by sha256, at most half of the split, the same on every call', () => {
  const names = Array.from({ length: 20 }, (_, i) => `img${i}`);
  const a = heldOutNames(names, 6, 0);
  assert.equal(a.size, 6);
  assert.deepEqual(a, heldOutNames([...names].reverse(), 6, 0), 'order of the split does not matter');
  assert.notDeepEqual(a, heldOutNames(names, 6, 1), 'another seed holds out other images');
  assert.equal(heldOutNames(names, 64, 0).size, 10, 'never more than half');
  assert.equal(heldOutNames(['only'], 64, 0).size, 0);
});

test('BCCD: selection, fine-tune and evaluation images never overlap, and the trainer reads the same fine-tune images', async () => {
  const splits = resolveRunSplits(settings(), false);
  const [selection, finetune, evaluation, trainval] = await Promise.all([
    stemsOf(splits.selection),
    stemsOf(splits.finetune),
    stemsOf(splits.evaluation),
    stemsOf('trainval'),
  ]);
  assert.equal(selection.length, 64);
  assert.equal(finetune.length, trainval.length - 64);
  const overlap = (a: string[], b: string[]) => a.filter((x) => new Set(b).has(x));
  assert.deepEqual(overlap(selection, finetune), []);
  assert.deepEqual(overlap(selection, evaluation), []);
  assert.deepEqual(overlap(finetune, evaluation), []);
  assert.deepEqual([...selection, ...finetune].sort(), [...trainval].sort());

  // The trainer (Python) computes the hold-out itself: the same images on both sides.
  assert.deepEqual(trainerStems(trainerDataSpecForSplit(bccdRoot(), splits.finetune)), finetune);
  assert.deepEqual(trainerStems(trainerDataSpecForSplit(bccdRoot(), splits.selection)), selection);
});

test('a limit takes the first images of the held-out side, not a hold-out of the first images', async () => {
  const held = resolveRunSplits(settings(), false).selection;
  const first = await loadDataset(bccdRoot(), { split: held, policy: 'skip', limit: 5 });
  assert.deepEqual(
    first.dataset.images.map((im) => fileStem(im.file)),
    (await stemsOf(held)).slice(0, 5),
  );
});

test('resolving the run splits: the data set’s own selection split, a named one, and overlaps refused', () => {
  assert.equal(resolveRunSplits(settings(), true).selection, 'selection');
  assert.deepEqual(resolveRunSplits(settings(), true).finetune, 'trainval');
  const named = resolveRunSplits(settings({ selection: 'val', finetune: 'train' }), false);
  assert.deepEqual(named, { selection: 'val', finetune: 'train', evaluation: 'test' });
  assert.throws(
    () => resolveRunSplits(settings({ selection: 'val' }), false),
    (e: unknown) => e instanceof SplitOverlapError && /share split 'val'/.test(e.message),
  );
  assert.throws(
    () => resolveRunSplits(settings({ finetune: 'trainval', evaluation: 'val' }), false),
    /and splits.evaluation \(val\) share split 'val'/,
  );
  assert.throws(() => resolveRunSplits(settings({ selection: 'test' }), false), /share split 'test'/);
});

test('the split names a data set’s file list shows, in every layout', () => {
  assert.deepEqual(
    [...splitNamesInKeys(['ImageSets/Main/selection.txt', 'Annotations/a.xml', 'JPEGImages/a.jpg'])],
    ['selection'],
  );
  assert.deepEqual(
    [
      ...splitNamesInKeys([
        'images/train/a.jpg',
        'images/selection/b.jpg',
        'labels/train/a.txt',
        'data.yaml',
      ]),
    ],
    ['train', 'selection'],
  );
  assert.deepEqual([...splitNamesInKeys(['annotations/instances_val.json', 'images/x.jpg'])], ['val']);
});

test('`finetune --selection-images N` trains on the images a run fine-tunes on (the same hold-out)', () => {
  const splits = resolveRunSplits(settings(), false);
  assert.deepEqual(
    dataSpecForDir(bccdRoot(), { splits: ['trainval'], 'selection-images': 64 }),
    trainerDataSpecForSplit(bccdRoot(), splits.finetune),
  );
  assert.equal(dataSpecForDir(bccdRoot(), { splits: ['trainval'] }).hold_out, undefined);
});
