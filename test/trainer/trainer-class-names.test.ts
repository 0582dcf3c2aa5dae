// The trainer names the classes it trained in the model it writes (ultralytics' `names` metadata), from the
// data set: VOC's sorted names, data.yaml's, COCO's categories; and it keeps a model's own class order,
// matching a YOLO data set's label indices to it by name.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeModel, encodeModel, metadataValue } from '../../core/onnx';
import { pythonNamesDict } from '../../core/yolo';
import { modelMetadata } from '../../runtime/model-metadata';
import { venvPython } from '../../runtime/paths';
import { trainerDataSpec } from '../../runtime/trainer/data-spec';
import { runTrainer, trainerDir, writeTrainerJob, type TrainerJob } from '../../runtime/trainer-process';
import { BCCD_YOLO_NAMES, miniBccdCoco, miniBccdYolo } from '../support/bccd-layouts';
import { miniBccd } from '../support/mini-bccd';
import { bccdNames, tempDir, tinyJob, tinyModel, trainerSkipReason } from './tiny-fixtures';

const skip = trainerSkipReason();

/** One optimiser step on the first 4 images of `data`; returns the class names the written model states. */
async function trainedNames(dir: string, model: string, data: TrainerJob['data']): Promise<string[] | null> {
  const job = tinyJob(dir, model, { data: { ...data, limit: 4 }, epochs: 1 });
  const done = await runTrainer({ jobFile: await writeTrainerJob(path.join(dir, `job-${Date.now()}.json`), job) });
  return modelMetadata(done.model).names;
}

/** The trainer's own dataset reader: class names and boxes per class name. */
function trainerCounts(data: TrainerJob['data'], names: string[] | null): { names: string[]; counts: object } {
  const script = [
    'import json, sys',
    'from stageprune_trainer.datasets import load_dataset',
    'ds = load_dataset(json.loads(sys.argv[1]), json.loads(sys.argv[2]))',
    'counts = {}',
    'for s in ds.samples:',
    '    for c in s.cls.tolist(): counts[ds.names[c]] = counts.get(ds.names[c], 0) + 1',
    'print(json.dumps({"names": ds.names, "counts": dict(sorted(counts.items()))}))',
  ].join('\n');
  const out = execFileSync(venvPython(), ['-c', script, JSON.stringify(data), JSON.stringify(names)], {
    cwd: trainerDir,
    env: { ...process.env, PYTHONPATH: trainerDir },
  });
  return JSON.parse(out.toString()) as { names: string[]; counts: object };
}

test('a model trained with labels states the data set’s class names: VOC sorted, data.yaml, COCO categories', { skip, timeout: 180_000 }, async () => {
  const dir = tempDir('names');
  try {
    const model = tinyModel(dir);
    assert.deepEqual(modelMetadata(model).names, ['0', '1', '2'], 'the builder writes placeholder digits');
    const voc = miniBccd(path.join(dir, 'voc'), 4);
    const yolo = miniBccdYolo(path.join(dir, 'yolo'), 8);
    const coco = miniBccdCoco(path.join(dir, 'coco'), 8);
    assert.deepEqual(await trainedNames(dir, model, trainerDataSpec(voc, { splits: ['test'] })), bccdNames);
    assert.deepEqual(await trainedNames(dir, model, trainerDataSpec(yolo.root, { splits: ['trainval'] })), BCCD_YOLO_NAMES);
    assert.deepEqual(await trainedNames(dir, model, trainerDataSpec(coco.root, { splits: ['test'] })), BCCD_YOLO_NAMES);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a model that names its classes keeps its order; a YOLO data set in another order is matched by name', { skip, timeout: 180_000 }, async () => {
  const dir = tempDir('names-keep');
  try {
    const plain = decodeModel(readFileSync(tinyModel(dir)));
    const named = path.join(dir, 'named.onnx');
    writeFileSync(
      named,
      encodeModel({
        ...plain,
        metadataProps: plain.metadataProps.map((p) => (p.key === 'names' ? { ...p, value: pythonNamesDict(bccdNames) } : p)),
      }),
    );
    const yolo = miniBccdYolo(path.join(dir, 'yolo'), 8);
    const voc = miniBccd(path.join(dir, 'voc'), 8);
    const spec = trainerDataSpec(yolo.root, { splits: ['test'] });
    assert.deepEqual(await trainedNames(dir, named, spec), bccdNames, 'the model’s own order is kept');

    // Labels are re-indexed by name: the same boxes per class name as the VOC original of the same images.
    const reference = trainerCounts(trainerDataSpec(voc, { splits: ['test'] }), bccdNames);
    const matched = trainerCounts(spec, bccdNames);
    assert.deepEqual(matched, reference);
    const { classes: _classes, ...unnamed } = spec as { classes?: string[] };
    assert.notDeepEqual(trainerCounts(unnamed as TrainerJob['data'], bccdNames).counts, reference.counts, 'by index the names would be wrong');
    assert.equal(metadataValue(plain, 'names'), pythonNamesDict(['0', '1', '2']));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
