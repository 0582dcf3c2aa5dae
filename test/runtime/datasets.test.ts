import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatasetError } from '../../core/datasets';
import { bccdRoot, detectFormat, loadDataset } from '../../runtime/datasets';
import { evaluateModel } from '../../runtime/evaluate';
import { makeDetector } from '../support/detector-models';
import { billionLaughsXml, xxeXml } from '../support/hostile-voc';
import { tinyVoc, vocXml } from '../support/tiny-voc';

test('BCCD splits load with class names from the data and its two degenerate boxes reported', async () => {
  const all = await loadDataset(bccdRoot(), { split: 'trainval', policy: 'skip' });
  const test_ = await loadDataset(bccdRoot(), { split: 'test', policy: 'skip' });
  assert.deepEqual(all.dataset.classNames, ['Platelets', 'RBC', 'WBC']);
  assert.equal(test_.dataset.images.length, 72);
  assert.equal(all.dataset.images.length + test_.dataset.images.length, 364);
  const boxes = [...all.dataset.images, ...test_.dataset.images].reduce((n, im) => n + im.boxes.length, 0);
  const skipped = all.validator.result().skippedLabels + test_.validator.result().skippedLabels;
  assert.equal(boxes + skipped, 4155 + 372 + 361);
  assert.equal(skipped, 2);
  assert.ok(
    [...all.validator.result().issues, ...test_.validator.result().issues].every(
      (i) => i.kind === 'degenerate-box',
    ),
  );
});

test('missing image, missing and broken annotations: counted under skip, named errors under fail', async () => {
  const root = tinyVoc(['BloodImage_00000', 'noimage', 'noxml', 'broken'], (r) => {
    writeFileSync(path.join(r, 'Annotations/noimage.xml'), vocXml([{ name: 'RBC', box: [1, 1, 9, 9] }]));
    copyFileSync(
      path.join(bccdRoot(), 'JPEGImages/BloodImage_00001.jpg'),
      path.join(r, 'JPEGImages/noxml.jpg'),
    );
    copyFileSync(
      path.join(bccdRoot(), 'JPEGImages/BloodImage_00001.jpg'),
      path.join(r, 'JPEGImages/broken.jpg'),
    );
    writeFileSync(
      path.join(r, 'Annotations/broken.xml'),
      '<annotation><size><width>640</width></size></annotation>',
    );
  });
  try {
    const skip = await loadDataset(root, { split: 'test', policy: 'skip' });
    assert.equal(skip.dataset.images.length, 1);
    const r = skip.validator.result();
    assert.equal(r.skippedImages, 1);
    assert.equal(r.skippedLabels, 2);
    assert.deepEqual(r.issues.map((i) => i.file).sort(), [
      'Annotations/broken.xml',
      'Annotations/noxml.xml',
      'JPEGImages/noimage.jpg',
    ]);
    await assert.rejects(
      loadDataset(root, { split: 'test', policy: 'fail' }),
      (e: unknown) =>
        e instanceof DatasetError &&
        e.code === 'DATASET_IMAGE_MISSING' &&
        e.file === 'JPEGImages/noimage.jpg',
    );
    await assert.rejects(
      loadDataset(root, { split: 'val', policy: 'skip' }),
      /DATASET|ImageSets\/Main\/val\.txt/,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('YOLO and COCO folders load through the same validation', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'stageprune-yolo-'));
  try {
    mkdirSync(path.join(root, 'images/test'), { recursive: true });
    mkdirSync(path.join(root, 'labels/test'), { recursive: true });
    copyFileSync(
      path.join(bccdRoot(), 'JPEGImages/BloodImage_00000.jpg'),
      path.join(root, 'images/test/a.jpg'),
    );
    copyFileSync(
      path.join(bccdRoot(), 'JPEGImages/BloodImage_00001.jpg'),
      path.join(root, 'images/test/b.jpg'),
    );
    writeFileSync(path.join(root, 'labels/test/a.txt'), '1 0.5 0.5 0.25 0.5\n5 0.5 0.5 0.1 0.1\n');
    writeFileSync(path.join(root, 'data.yaml'), 'names: [Platelets, RBC, WBC]\n');
    assert.equal(detectFormat(root), 'yolo');
    const y = await loadDataset(root, { split: 'test', policy: 'skip' });
    assert.equal(y.dataset.images.length, 2);
    assert.deepEqual(y.dataset.images[0]!.boxes, [{ classId: 1, x1: 240, y1: 120, x2: 400, y2: 360 }]);
    assert.equal(y.dataset.images[1]!.boxes.length, 0); // no label file: background
    assert.equal(y.validator.result().counts['unknown-class'], 1);

    mkdirSync(path.join(root, 'annotations'));
    writeFileSync(
      path.join(root, 'annotations/instances_test.json'),
      JSON.stringify({
        images: [{ id: 3, file_name: 'a.jpg', width: 640, height: 480 }],
        categories: [{ id: 1, name: 'RBC' }],
        annotations: [{ image_id: 3, category_id: 1, bbox: [10, 20, 30, 40] }],
      }),
    );
    const c = await loadDataset(path.join(root, 'annotations/instances_test.json'), {
      split: 'test',
      policy: 'fail',
    });
    assert.deepEqual(c.dataset.images[0]!.boxes, [{ classId: 0, x1: 10, y1: 20, x2: 40, y2: 60 }]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('XXE and billion-laughs annotations are skipped and counted; evaluation goes on without entity classes', async () => {
  const good = ['BloodImage_00000', 'BloodImage_00001'];
  const root = tinyVoc([...good, 'xxe', 'lol'], (r) => {
    writeFileSync(path.join(r, 'Annotations/xxe.xml'), xxeXml());
    writeFileSync(path.join(r, 'Annotations/lol.xml'), billionLaughsXml());
    for (const stem of ['xxe', 'lol'])
      copyFileSync(
        path.join(bccdRoot(), `JPEGImages/${good[0]}.jpg`),
        path.join(r, `JPEGImages/${stem}.jpg`),
      );
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stageprune-hostile-'));
  try {
    const loaded = await loadDataset(root, { split: 'test', policy: 'skip' });
    assert.deepEqual(
      loaded.dataset.images.map((im) => im.file),
      good.map((stem) => path.join('JPEGImages', `${stem}.jpg`)),
    );
    const r = loaded.validator.result();
    assert.equal(r.counts['invalid-label'], 2);
    assert.deepEqual(r.issues.map((i) => i.file).sort(), ['Annotations/lol.xml', 'Annotations/xxe.xml']);
    assert.deepEqual(loaded.dataset.classNames, ['RBC', 'WBC']);

    // The same folder through an evaluation with the default policy.
    const model = makeDetector(path.join(dir, 'm.onnx'), { imgsz: 64, nc: 2 });
    const e = await evaluateModel({
      model,
      data: root,
      split: 'test',
      session: { ep: 'cpu', intraOpThreads: 1 },
    });
    assert.equal(e.images, 2);
    assert.equal(e.skippedLabels, 2);
    assert.deepEqual(e.classNames, ['RBC', 'WBC']);
    assert.ok(e.classNames.every((n) => !/[&<>;]/.test(n)));
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
