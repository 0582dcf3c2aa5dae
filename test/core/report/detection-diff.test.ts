import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GtBox } from '../../../core/datasets';
import { boxesAbove, matchDetections, pickDifferingImages } from '../../../core/report';
import type { Detections } from '../../../core/postprocess';

const gt = (classId: number, x: number, y = 0, size = 10): GtBox => ({
  classId,
  x1: x,
  y1: y,
  x2: x + size,
  y2: y + size,
});

function dets(list: [classId: number, x: number, score: number, size?: number][]): Detections {
  return {
    boxes: Float32Array.from(list.flatMap(([, x, , size = 10]) => [x, 0, x + size, size])),
    scores: Float32Array.from(list.map(([, , s]) => s)),
    classIds: Int32Array.from(list.map(([c]) => c)),
    count: list.length,
  };
}

test('matching: one detection per ground-truth box, same class, IoU ≥ 0.5, score ≥ the display threshold', () => {
  const truth = [gt(0, 0), gt(1, 100), { ...gt(0, 200), iscrowd: true }];
  const m = matchDetections(
    truth,
    dets([
      [0, 1, 0.9], // matches box 0 (IoU 0.82)
      [0, 0, 0.8], // box 0 already taken: a false positive
      [0, 100, 0.7], // right place, wrong class
      [1, 104, 0.6], // IoU 6/14 = 0.43 < 0.5
      [1, 100, 0.1], // below the 0.25 threshold: neither counted nor drawn
    ]),
  );
  assert.deepEqual(m, { detections: 4, matched: 1, falsePositives: 3, missed: 1 });
  assert.equal(matchDetections(truth, dets([[1, 104, 0.6]]), { iou: 0.4 }).matched, 1);
  assert.deepEqual(
    boxesAbove(
      dets([
        [0, 0, 0.3],
        [1, 5, 0.9],
        [2, 9, 0.2],
      ]),
    ).map((b) => b.score! > 0.8),
    [true, false],
  );
});

test('picking: largest gap in matched detections first, then false positives, then more ground truth', () => {
  const truth = [[gt(0, 0), gt(0, 20)], [gt(0, 0), gt(0, 20), gt(0, 40)], [gt(0, 0)], [gt(0, 0), gt(0, 20)]];
  const original = [
    dets([
      [0, 0, 0.9],
      [0, 20, 0.9],
    ]), // 2 matched
    dets([
      [0, 0, 0.9],
      [0, 20, 0.9],
      [0, 40, 0.9],
    ]), // 3 matched
    dets([[0, 0, 0.9]]),
    dets([
      [0, 0, 0.9],
      [0, 20, 0.9],
    ]),
  ];
  const compressed = [
    dets([
      [0, 0, 0.9],
      [0, 20, 0.9],
    ]), // same
    dets([[0, 0, 0.9]]), // lost two
    dets([
      [0, 0, 0.9],
      [0, 300, 0.9],
    ]), // a new false positive
    dets([[0, 0, 0.9]]), // lost one
  ];
  const picked = pickDifferingImages(truth, original, compressed, 3);
  assert.deepEqual(
    picked.map((p) => [p.index, p.matchedGap, p.falsePositiveGap]),
    [
      [1, 2, 0],
      [3, 1, 0],
      [2, 0, 1],
    ],
  );
  assert.deepEqual(picked[0]!.compressed, { detections: 1, matched: 1, falsePositives: 0, missed: 2 });
  assert.throws(() => pickDifferingImages(truth, original, compressed.slice(1), 1), RangeError);
});
