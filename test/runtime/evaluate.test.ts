import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatasetError } from '../../core/datasets';
import { boxToInput, letterboxGeometry } from '../../core/preprocess';
import { loadDataset } from '../../runtime/datasets';
import { evaluateModel } from '../../runtime/evaluate';
import { InputCache } from '../../runtime/input-cache';
import { makeDetector } from '../support/detector-models';
import { tinyVoc } from '../support/tiny-voc';

/**
 * A constant-output model that "detects" exactly the ground truth of BloodImage_00000 mapped into the
 * letterbox: end to end (decode, letterbox, inference, NMS, mapping back, metrics) mAP must be 1.
 */
async function oracleFor(root: string, dir: string, imgsz: number, fixedBatch = 0): Promise<string> {
  const { dataset } = await loadDataset(root, { split: 'test', policy: 'skip' });
  const im = dataset.images[0]!;
  const g = letterboxGeometry(im.width, im.height, imgsz);
  const boxes = im.boxes.map((b, i) => {
    const [x1, y1, x2, y2] = boxToInput([b.x1, b.y1, b.x2, b.y2], g);
    return [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1, b.classId, 0.9 - i * 0.01];
  });
  return makeDetector(path.join(dir, `oracle-${imgsz}-${fixedBatch}.onnx`), {
    imgsz,
    nc: dataset.classNames.length,
    boxes,
    fixedBatch,
  });
}

test('a perfect detector scores mAP 1 end to end, batched, at native and resized input sizes', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stageprune-eval-'));
  const root = tinyVoc(['BloodImage_00000', 'BloodImage_00000-copy1', 'BloodImage_00000-copy2']);
  try {
    for (const imgsz of [640, 320]) {
      const model = await oracleFor(root, dir, imgsz);
      const r = await evaluateModel({
        model,
        data: root,
        split: 'test',
        imgsz,
        batch: 2,
        session: { ep: 'cpu', intraOpThreads: 1 },
      });
      assert.equal(r.images, 3);
      assert.equal(r.metrics.map50_95, 1, `imgsz ${imgsz}`);
      assert.deepEqual(r.metrics.perClassAp, [1, 1]);
      assert.equal(r.classSource, 'data-index');
      assert.ok(r.imagesPerS > 0 && r.timings.inferenceMs > 0);
    }
    // A fixed-batch model: the last, short batch is padded, and --batch must match.
    const fixed = await oracleFor(root, dir, 640, 2);
    const r = await evaluateModel({
      model: fixed,
      data: root,
      split: 'test',
      session: { ep: 'cpu', intraOpThreads: 1 },
    });
    assert.equal(r.batch, 2);
    assert.equal(r.metrics.map50_95, 1);
    await assert.rejects(
      evaluateModel({ model: fixed, data: root, split: 'test', batch: 4 }),
      /MODEL_INPUT_MISMATCH|fixed at 2/,
    );
    await assert.rejects(
      evaluateModel({ model: fixed, data: root, split: 'test', imgsz: 320 }),
      /fixed at 640/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  }
});

test('corrupt images are skipped and counted, or fail naming the file; a model lacking a class', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stageprune-eval-'));
  const root = tinyVoc(['BloodImage_00000', 'BloodImage_00001'], (r) => {
    writeFileSync(path.join(r, 'JPEGImages/BloodImage_00001.jpg'), 'not a jpeg');
  });
  try {
    const model = await oracleFor(root, dir, 640);
    const r = await evaluateModel({ model, data: root, split: 'test', batch: 2 });
    assert.equal(r.images, 1);
    assert.equal(r.skippedImages, 1);
    assert.equal(r.issues[0]!.file, 'JPEGImages/BloodImage_00001.jpg');
    assert.equal(r.metrics.map50_95, 1);
    await assert.rejects(
      evaluateModel({ model, data: root, split: 'test', policy: 'fail' }),
      (e: unknown) =>
        e instanceof DatasetError &&
        e.code === 'DATASET_IMAGE_CORRUPT' &&
        e.file === 'JPEGImages/BloodImage_00001.jpg',
    );
    // One output class for data with two: labels of the second class are ones the model lacks.
    const oneClass = makeDetector(path.join(dir, 'nc1.onnx'), { imgsz: 640, nc: 1 });
    const lacking = await evaluateModel({ model: oneClass, data: root, split: 'test', batch: 2 });
    assert.ok(lacking.skippedLabels > 0);
    assert.deepEqual(lacking.classNames, ['RBC']);
    await assert.rejects(
      evaluateModel({ model: oneClass, data: root, split: 'test', policy: 'fail' }),
      /DATASET_CLASS_UNKNOWN|not one of the model/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  }
});

test('an input cache makes repeated evaluations skip decoding and letterboxing, with equal results', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stageprune-eval-'));
  const root = tinyVoc(['BloodImage_00000', 'BloodImage_00000-copy1']);
  try {
    const model = await oracleFor(root, dir, 320);
    const cache = new InputCache();
    const first = await evaluateModel({ model, data: root, split: 'test', imgsz: 320, batch: 2, cache });
    assert.equal(cache.size, 2);
    assert.equal(cache.byteLength, 2 * 3 * 320 * 320 * 4);
    // The image files are now garbage: the second evaluation can only have used the cache.
    for (const f of ['BloodImage_00000.jpg', 'BloodImage_00000-copy1.jpg'])
      writeFileSync(path.join(root, 'JPEGImages', f), 'x');
    const second = await evaluateModel({ model, data: root, split: 'test', imgsz: 320, batch: 2, cache });
    assert.deepEqual(second.metrics, first.metrics);
    assert.equal(second.skippedImages, 0);
    assert.equal(second.metrics.map50_95, 1);
    // A full cache stores nothing more.
    const tiny = new InputCache(1000);
    assert.equal(
      tiny.put('x', 320, new Float32Array(3 * 320 * 320), letterboxGeometry(640, 480, 320)),
      false,
    );
    assert.equal(tiny.size, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  }
});
