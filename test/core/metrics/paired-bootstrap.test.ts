import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateCoco,
  matchCocoImages,
  pairedBootstrap,
  pairedBootstrapSteps,
  summarizeCoco,
} from '../../../core/metrics';
import { createDetections } from '../../../core/postprocess';
import { bccdRoot, loadDataset } from '../../../runtime/datasets';
import { syntheticDetections } from '../../support/synthetic-detections';

const testSplit = async () => (await loadDataset(bccdRoot(), { split: 'test', policy: 'skip' })).dataset;

test('paired bootstrap: a detector against itself differs by exactly 0 on every resample, yet each score varies', async () => {
  const { images, classNames } = await testSplit();
  const dets = syntheticDetections(images, classNames.length, 1);
  const r = pairedBootstrap(images, dets, dets, classNames.length, { resamples: 50, seed: 3 });
  assert.equal(r.observed, 0);
  assert.deepEqual([r.mean, r.sd, r.low, r.high], [0, 0, 0, 0]);
  assert.ok(r.sdA > 0.005 && r.sdA === r.sdB, `one test set's noise: sd ${r.sdA}`);
});

test('paired bootstrap: a clearly better detector has an interval above 0, and the observed difference is the plain scores', async () => {
  const { images, classNames } = await testSplit();
  const worse = syntheticDetections(images, classNames.length, 1);
  // The ground truth itself as detections: a perfect detector.
  const better = images.map((im) => {
    const d = createDetections(im.boxes.length);
    im.boxes.forEach((g, j) => {
      d.boxes.set([g.x1, g.y1, g.x2, g.y2], 4 * j);
      d.scores[j] = 1;
      d.classIds[j] = g.classId;
    });
    d.count = im.boxes.length;
    return d;
  });
  const k = classNames.length;
  const r = pairedBootstrap(images, worse, better, k, { resamples: 40, seed: 1 });
  const plain = evaluateCoco(images, better, k).map50_95 - evaluateCoco(images, worse, k).map50_95;
  assert.equal(r.observed, plain);
  assert.ok(
    r.low > 0 && r.low <= r.mean && r.mean <= r.high,
    `interval [${r.low}, ${r.high}] mean ${r.mean}`,
  );
  // The same seed draws the same resamples.
  assert.deepEqual(pairedBootstrap(images, worse, better, k, { resamples: 40, seed: 1 }), r);
});

test('scores over a resample (repeats included) from matched images equal COCO scoring of the resampled set', async () => {
  const { images, classNames } = await testSplit();
  const k = classNames.length;
  const dets = syntheticDetections(images, k, 5);
  const matches = matchCocoImages(images, dets, k);
  const picks = [5, 5, 0, 71, 30, 30, 30, 12, 64, 2];
  const drawn = picks.map((i, j) => ({ ...images[i]!, id: j + 1 }));
  assert.deepEqual(
    summarizeCoco(matches, picks),
    evaluateCoco(
      drawn,
      picks.map((i) => dets[i]!),
      k,
    ),
  );
  assert.throws(() => summarizeCoco(matches, [0, images.length]), RangeError);
});

test('paired bootstrap refuses misaligned detections and a degenerate resample count', async () => {
  const { images, classNames } = await testSplit();
  const dets = syntheticDetections(images, classNames.length, 1);
  assert.throws(() => pairedBootstrap(images, dets, dets.slice(1), classNames.length), RangeError);
  assert.throws(() => pairedBootstrap(images, dets, dets, classNames.length, { resamples: 1 }), RangeError);
});

test('paired bootstrap one resample per step: counts up to the resamples, then the same result as in one call', async () => {
  const { images, classNames } = await testSplit();
  const k = classNames.length;
  const a = syntheticDetections(images, k, 2);
  const b = syntheticDetections(images, k, 7);
  const steps = pairedBootstrapSteps(images, a, b, k, { resamples: 12, seed: 4 });
  const counts: number[] = [];
  let s = steps.next();
  for (; !s.done; s = steps.next()) counts.push(s.value);
  assert.deepEqual(
    counts,
    Array.from({ length: 12 }, (_, i) => i + 1),
  );
  assert.deepEqual(s.value, pairedBootstrap(images, a, b, k, { resamples: 12, seed: 4 }));
});
