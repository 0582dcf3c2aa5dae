import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DatasetImage } from '../../../core/datasets';
import { evaluateCoco } from '../../../core/metrics';
import { createDetections } from '../../../core/postprocess';
import { bccdRoot, loadDataset } from '../../../runtime/datasets';
import { runPycocotools } from '../../support/pycocotools';
import { syntheticDetections } from '../../support/synthetic-detections';

const TOL = 1e-4;

function assertParity(images: readonly DatasetImage[], classNames: readonly string[], seed: number) {
  const dets = syntheticDetections(images, classNames.length, seed);
  const ours = evaluateCoco(images, dets, classNames.length);
  const ref = runPycocotools(images, classNames, dets);
  ref.stats.forEach((v, i) =>
    assert.ok(Math.abs(ours.stats[i]! - v) <= TOL, `stat ${i}: ours ${ours.stats[i]} vs pycocotools ${v}`),
  );
  ref.per_class_ap.forEach((v, k) => {
    const o = ours.perClassAp[k];
    assert.ok(v === null ? o === null : Math.abs(o! - v) <= TOL, `class ${k} AP: ours ${o} vs ${v}`);
  });
  ref.per_class_ap50.forEach((v, k) => {
    const o = ours.perClassAp50[k];
    assert.ok(v === null ? o === null : Math.abs(o! - v) <= TOL, `class ${k} AP50: ours ${o} vs ${v}`);
  });
  return ours;
}

test('COCO metrics equal pycocotools on BCCD test ground truth with synthetic detections', async () => {
  const { dataset } = await loadDataset(bccdRoot(), { split: 'test', policy: 'skip' });
  for (const seed of [1, 2, 3]) {
    const m = assertParity(dataset.images, dataset.classNames, seed);
    assert.ok(m.map50_95 > 0.05 && m.map50_95 < 0.95, `non-trivial mAP ${m.map50_95}`);
  }
});

test('COCO metrics equal pycocotools with crowd regions, given areas, a class without ground truth and empty images', () => {
  const images: DatasetImage[] = [
    {
      id: 3,
      file: 'a.jpg',
      width: 200,
      height: 200,
      boxes: [
        { classId: 0, x1: 10, y1: 10, x2: 60, y2: 60 },
        { classId: 0, x1: 100, y1: 100, x2: 190, y2: 190, iscrowd: true },
        { classId: 1, x1: 5, y1: 150, x2: 25, y2: 170, area: 300 },
      ],
    },
    { id: 1, file: 'b.jpg', width: 200, height: 200, boxes: [] },
    {
      id: 2,
      file: 'c.jpg',
      width: 200,
      height: 200,
      boxes: [{ classId: 1, x1: 0, y1: 0, x2: 120, y2: 130 }],
    },
  ];
  const names = ['a', 'b', 'never-labelled'];
  for (const seed of [4, 5, 6, 7]) assertParity(images, names, seed);
  // No detections at all.
  const empty = images.map(() => createDetections(0));
  const m = evaluateCoco(images, empty, 3);
  assert.equal(m.map50_95, 0);
  assert.equal(m.perClassAp[2], null);
});
