// YOLO txt and COCO JSON data sets read like the VOC original they were made from: the same images, the same
// boxes under the same class names; splits resolve as ultralytics data sets name them (trainval = train +
// val), `limit` takes a split's first images, and the trainer gets a data spec for every layout.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatasetError, parseYoloYamlSplits, type Dataset } from '../../core/datasets';
import { boxToInput, letterboxGeometry } from '../../core/preprocess';
import { datasetUploadKeys } from '../../runtime/artifacts';
import { detectFormat, loadDataset, splitNamesInKeys } from '../../runtime/datasets';
import { evaluateModel } from '../../runtime/evaluate';
import { trainerDataSpec } from '../../runtime/trainer/data-spec';
import { miniBccdCoco, miniBccdYolo, BCCD_YOLO_NAMES } from '../support/bccd-layouts';
import { makeDetector } from '../support/detector-models';
import { miniBccd } from '../support/mini-bccd';

const temp = (name: string) => mkdtempSync(path.join(os.tmpdir(), `stageprune-${name}-`));

/** Per image stem: its boxes as `class-name x1 y1 x2 y2`, sorted (rounded: YOLO stores 6 decimals). */
function byName(d: Dataset): Map<string, string[]> {
  return new Map(
    d.images.map((im) => [
      path.basename(im.file).replace(/\.jpg$/, ''),
      im.boxes
        .map((b) => [d.classNames[b.classId], ...[b.x1, b.y1, b.x2, b.y2].map((v) => v.toFixed(1))].join(' '))
        .sort(),
    ]),
  );
}

test('YOLO and COCO copies of BCCD hold the VOC boxes under the same class names; trainval is train + val', async () => {
  const dirs = [temp('voc'), temp('yolo'), temp('coco')];
  try {
    miniBccd(dirs[0]!, 6);
    const yolo = miniBccdYolo(dirs[1]!, 6);
    const coco = miniBccdCoco(dirs[2]!, 6);
    const voc = byName((await loadDataset(dirs[0]!, { split: 'test', policy: 'fail' })).dataset);
    for (const copy of [yolo, coco]) {
      const test_ = await loadDataset(copy.root, { split: 'test', policy: 'fail' });
      assert.deepEqual(
        test_.dataset.classNames,
        BCCD_YOLO_NAMES,
        `${test_.format}: names in the copy's order`,
      );
      assert.deepEqual(byName(test_.dataset), voc, `${test_.format}: same boxes, same class names`);
      const trainval = await loadDataset(copy.root, { split: 'trainval', policy: 'fail' });
      assert.deepEqual(
        trainval.dataset.images.map((im) => path.basename(im.file, '.jpg')),
        [...copy.splits.train, ...copy.splits.val],
        `${test_.format}: trainval = train + val`,
      );
      assert.equal(new Set(trainval.dataset.images.map((im) => im.id)).size, 6, 'image ids stay unique');
      const first = await loadDataset(copy.root, { split: 'test', policy: 'fail', limit: 2 });
      assert.deepEqual(
        first.dataset.images.map((im) => im.file),
        test_.dataset.images.slice(0, 2).map((im) => im.file),
      );
      for (const im of first.dataset.images) assert.ok(first.resolveImage(im.file).startsWith(copy.root));
      await assert.rejects(
        loadDataset(copy.root, { split: 'holdout', policy: 'fail' }),
        (e: unknown) =>
          e instanceof DatasetError &&
          e.code === 'DATASET_SPLIT_MISSING' &&
          /the data set has test, train, val/.test(e.message),
      );
    }
    const vocFirst = await loadDataset(dirs[0]!, { split: 'test', policy: 'fail', limit: 3 });
    assert.equal(vocFirst.dataset.images.length, 3);
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test("evaluation matches the model's class names to data.yaml's by name; placeholder names go by index", async () => {
  const dir = temp('eval-yolo');
  try {
    const yolo = miniBccdYolo(path.join(dir, 'data'), 2); // train: image 0 alone
    const { dataset } = await loadDataset(yolo.root, { split: 'train', policy: 'fail' });
    const im = dataset.images[0]!;
    const imgsz = 320;
    const g = letterboxGeometry(im.width, im.height, imgsz);
    // A constant "perfect" detector whose outputs are in the VOC order (Platelets, RBC, WBC), not data.yaml's.
    const vocOrder = ['Platelets', 'RBC', 'WBC'];
    const boxes = im.boxes.map((b, i) => {
      const [x1, y1, x2, y2] = boxToInput([b.x1, b.y1, b.x2, b.y2], g);
      const cls = vocOrder.indexOf(dataset.classNames[b.classId]!);
      return [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1, cls, 0.9 - i * 0.001];
    });
    const named = makeDetector(path.join(dir, 'named.onnx'), { imgsz, nc: 3, boxes, names: vocOrder });
    const r = await evaluateModel({ model: named, data: yolo.root, split: 'train', imgsz, batch: 1 });
    assert.equal(r.classSource, 'model-names');
    assert.deepEqual(r.classNames, vocOrder);
    assert.equal(r.metrics.map50_95, 1);
    const digits = makeDetector(path.join(dir, 'digits.onnx'), {
      imgsz,
      nc: 3,
      boxes,
      names: ['0', '1', '2'],
    });
    const byIndex = await evaluateModel({ model: digits, data: yolo.root, split: 'train', imgsz, batch: 1 });
    assert.equal(byIndex.classSource, 'data-index');
    assert.ok(byIndex.metrics.map50_95 < 0.9, `by index the classes disagree: ${byIndex.metrics.map50_95}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the trainer gets a data spec for every layout: VOC splits, YOLO split folders + data.yaml names, COCO files', () => {
  const dirs = [temp('spec-voc'), temp('spec-yolo'), temp('spec-coco')];
  try {
    miniBccd(dirs[0]!, 2);
    const yolo = miniBccdYolo(dirs[1]!, 4);
    const coco = miniBccdCoco(dirs[2]!, 4);
    assert.deepEqual(trainerDataSpec(dirs[0]!, { splits: ['trainval'] }), {
      format: 'voc',
      root: dirs[0],
      splits: ['trainval'],
    });
    const images = (s: string) => path.join(yolo.root, 'images', s);
    assert.deepEqual(trainerDataSpec(yolo.root, { splits: ['trainval'] }), {
      format: 'yolo',
      images: [images('train'), images('val')],
      classes: BCCD_YOLO_NAMES,
    });
    assert.deepEqual(trainerDataSpec(yolo.root), trainerDataSpec(yolo.root, { splits: ['train', 'val'] }));
    assert.deepEqual(trainerDataSpec(coco.root, { splits: ['test'] }), {
      format: 'coco',
      images: [path.join(coco.root, 'images')],
      annotations: [path.join(coco.root, 'annotations', 'instances_test.json')],
    });
    assert.throws(() => trainerDataSpec(yolo.root, { splits: ['holdout'] }), /split 'holdout' not found/);
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test('a Roboflow export reads as its ultralytics copy: train/ and valid/ folders, data.yaml paths with ../, the trainer’s folders', async () => {
  const dirs = [temp('ultralytics'), temp('roboflow')];
  try {
    const ultralytics = miniBccdYolo(dirs[0]!, 6);
    const roboflow = miniBccdYolo(dirs[1]!, 6, BCCD_YOLO_NAMES, 'roboflow');
    assert.equal(detectFormat(roboflow.root), 'yolo');
    for (const split of ['train', 'val', 'trainval']) {
      const [a, b] = await Promise.all(
        [ultralytics.root, roboflow.root].map((root) => loadDataset(root, { split, policy: 'fail' })),
      );
      assert.ok(b!.dataset.images.length > 0 && b!.dataset.images.some((im) => im.boxes.length > 0));
      assert.deepEqual(byName(b!.dataset), byName(a!.dataset), split);
    }
    assert.deepEqual([...splitNamesInKeys(datasetUploadKeys(roboflow.root))].sort(), ['train', 'val']);
    assert.deepEqual(trainerDataSpec(roboflow.root, { splits: ['trainval'] }), {
      format: 'yolo',
      images: [path.join(roboflow.root, 'train', 'images'), path.join(roboflow.root, 'valid', 'images')],
      classes: BCCD_YOLO_NAMES,
    });
    await assert.rejects(
      loadDataset(roboflow.root, { split: 'test', policy: 'fail' }),
      /split 'test' not found; the data set has train, val/,
    );
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test('a split only data.yaml names is read where the yaml says, ../ tried as ultralytics tries it', async () => {
  const dir = temp('yaml-paths');
  try {
    const copy = miniBccdYolo(dir, 4);
    // val lives under other folder names that only the yaml states.
    renameSync(path.join(dir, 'images', 'val'), path.join(dir, 'images', 'checking'));
    renameSync(path.join(dir, 'labels', 'val'), path.join(dir, 'labels', 'checking'));
    writeFileSync(
      path.join(dir, 'data.yaml'),
      [
        'train: images/train',
        'val: ../images/checking # as a parent folder would hold it',
        'names: [RBC, WBC, Platelets]',
        '',
      ].join('\n'),
    );
    const val = await loadDataset(dir, { split: 'val', policy: 'fail' });
    assert.deepEqual(
      val.dataset.images.map((im) => path.basename(im.file, '.jpg')),
      [...copy.splits.val].sort(),
    );
    assert.ok(
      val.dataset.images.some((im) => im.boxes.length > 0),
      'labels are read from labels/checking',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('data yaml split entries: scalars, inline and block lists, comments, path', () => {
  assert.deepEqual(
    parseYoloYamlSplits(
      [
        'path: ../data # root',
        'train: [a/images, "b/images"]',
        'val:',
        '  - v1/images',
        '  - v2/images',
        'test:',
        'names: [x]',
      ].join('\n'),
    ),
    { path: '../data', splits: { train: ['a/images', 'b/images'], val: ['v1/images', 'v2/images'] } },
  );
});
