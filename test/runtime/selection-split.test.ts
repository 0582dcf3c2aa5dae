// The selection split: a seeded hold-out of the fine-tune split where the data set has none, computed the same
// way by the TypeScript loaders and the trainer, so choices are never made on images that are fine-tuned on or
// reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  resolveRunSplits,
  selectionSplit,
  SplitOverlapError,
  type DataSplit,
  type SplitSettings,
} from '../../common/data-split';
import { splitUses } from '../../common/compress-result';
import { choosesOnSelection } from '../../common/selection-use';
import { bccdRoot, loadDataset, splitNamesInKeys } from '../../runtime/datasets';
import { fileStem, heldOutNames } from '../../runtime/datasets/hold-out';
import { repoRoot, venvPython } from '../../runtime/paths';
import { dataSpecForDir } from '../../cli/trainer-support';
import { trainerDataSpecForSplit } from '../../runtime/trainer/data-spec';

/** A run whose stages choose on selection (a sensitivity planner, say), on a data set of these split names. */
const choosing = (names?: string[]) => ({
  choosesOnSelection: true,
  ...(names ? { datasetSplits: new Set(names) } : {}),
});

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
  const splits = resolveRunSplits(settings(), choosing());
  const [selection, finetune, evaluation, trainval] = await Promise.all([
    stemsOf(selectionSplit(splits)),
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
  assert.deepEqual(trainerStems(trainerDataSpecForSplit(bccdRoot(), selectionSplit(splits))), selection);
});

test('a limit takes the first images of the held-out side, not a hold-out of the first images', async () => {
  const held = selectionSplit(resolveRunSplits(settings(), choosing()));
  const first = await loadDataset(bccdRoot(), { split: held, policy: 'skip', limit: 5 });
  assert.deepEqual(
    first.dataset.images.map((im) => fileStem(im.file)),
    (await stemsOf(held)).slice(0, 5),
  );
});

test('resolving the run splits: the data set’s own selection split, a named one, and overlaps refused', () => {
  assert.equal(resolveRunSplits(settings(), choosing(['selection', 'test'])).selection, 'selection');
  assert.deepEqual(resolveRunSplits(settings(), choosing(['selection', 'test'])).finetune, 'trainval');
  const named = resolveRunSplits(settings({ selection: 'val', finetune: 'train' }), choosing());
  assert.deepEqual(named, { selection: 'val', finetune: 'train', evaluation: 'test' });
  assert.throws(
    () => resolveRunSplits(settings({ selection: 'val' }), choosing()),
    (e: unknown) => e instanceof SplitOverlapError && /share split 'val'/.test(e.message),
  );
  assert.throws(
    () => resolveRunSplits(settings({ finetune: 'trainval', evaluation: 'val' }), choosing()),
    /and splits.evaluation \(val\) share split 'val'/,
  );
  assert.throws(() => resolveRunSplits(settings({ selection: 'test' }), choosing()), /share split 'test'/);
});

test('only runs whose stages choose on images carve a selection split; the others fine-tune on the whole split', () => {
  const runs: [Parameters<typeof choosesOnSelection>[0], boolean][] = [
    [{ planner: { kind: 'staged' }, criterion: 'l1' }, false],
    [{ planner: { kind: 'uniform' }, criterion: 'taylor' }, false],
    [{ planner: { kind: 'staged' }, criterion: 'bn-gamma' }, false],
    [{ planner: { kind: 'staged' }, criterion: 'hrank' }, true],
    [{ planner: { kind: 'sensitivity' }, criterion: 'l1' }, true],
    [{ planner: { kind: 'amc' }, criterion: 'l1' }, true],
    [{ planner: { kind: 'netadapt' }, criterion: 'l1' }, true],
  ];
  for (const [options, chooses] of runs)
    assert.equal(choosesOnSelection(options), chooses, `${options.planner.kind} with ${options.criterion}`);
  const splits = resolveRunSplits(settings(), { choosesOnSelection: false });
  assert.deepEqual(splits, { finetune: 'trainval', evaluation: 'test' });
  assert.equal(splitUses(splits).selection.description, 'none (no stage chooses on it)');
  assert.equal(splitUses(splits).selection.split, undefined);
  assert.throws(() => selectionSplit(splits), /no selection split/);
});

test('a data set without a test split (ultralytics train/val): evaluation reads val, the fine-tune train, selection is held out of train', () => {
  const unset = settings({ finetune: undefined, evaluation: undefined });
  const splits = resolveRunSplits(unset, choosing(['train', 'val']));
  assert.equal(splits.evaluation, 'val');
  assert.deepEqual(splits.finetune, { of: 'train', holdOut: 64, seed: 0, part: 'rest' });
  assert.deepEqual(splits.selection, { of: 'train', holdOut: 64, seed: 0, part: 'held' });
  assert.match(splitUses(splits).evaluation.description, /^val \(the data set has no test split/);
  // With a test split the defaults are VOC's: report on test, fine-tune on train and val.
  assert.deepEqual(
    resolveRunSplits(unset, { choosesOnSelection: false, datasetSplits: new Set(['train', 'val', 'test']) }),
    {
      finetune: 'trainval',
      evaluation: 'test',
    },
  );
  // A named evaluation split decides the fine-tune default as well.
  assert.equal(
    resolveRunSplits(settings({ finetune: undefined, evaluation: 'val' }), { choosesOnSelection: false })
      .finetune,
    'train',
  );
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
  const splits = resolveRunSplits(settings(), choosing());
  assert.deepEqual(
    dataSpecForDir(bccdRoot(), { splits: ['trainval'], 'selection-images': 64 }),
    trainerDataSpecForSplit(bccdRoot(), splits.finetune),
  );
  assert.equal(dataSpecForDir(bccdRoot(), { splits: ['trainval'] }).hold_out, undefined);
});
