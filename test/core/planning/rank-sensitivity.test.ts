import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSensitivityCurves, rankParts, rankUnits } from '../../../core/planning';
import { baseline, point, prunedYoloLike } from './fixtures-synthetic';

test('rankUnits: by drop per ratio (default), most sensitive first, with mean drop and drop per GFLOP', () => {
  const ranked = rankUnits(baseline, buildSensitivityCurves(baseline, prunedYoloLike));
  assert.deepEqual(
    ranked.map((u) => u.unit),
    ['model.22', 'model.2', 'model.15', 'model.18', 'model.8'],
  );
  const head = ranked[0]!;
  assert.ok(Math.abs(head.dropPerRatio - 0.4) < 1e-12);
  assert.ok(Math.abs(head.meanDrop - 0.4 * 0.375) < 1e-12);
  // 0.4·r mAP for 50·r FLOPs = 0.008 per FLOP = 8e6 per GFLOP.
  assert.ok(Math.abs(head.dropPerGflop! - 8e6) < 1e-3);
});

test('rankUnits by flops: drop per GFLOP removed reorders units with little compute', () => {
  const curves = buildSensitivityCurves(baseline, [
    point('model.4', 'backbone', 0.5, 0.1, 500), // big drop, but big saving
    point('model.21', 'neck', 0.5, 0.02, 10), // small drop, tiny saving
  ]);
  assert.deepEqual(
    rankUnits(baseline, curves).map((u) => u.unit),
    ['model.4', 'model.21'],
  );
  assert.deepEqual(
    rankUnits(baseline, curves, { by: 'flops' }).map((u) => u.unit),
    ['model.21', 'model.4'],
  );
});

test('rankParts: per-stage means and Pruned-YOLO groups (head, shallow backbone, neck, deep backbone)', () => {
  const ranking = rankParts(baseline, buildSensitivityCurves(baseline, prunedYoloLike));
  // backbone = mean(0.2, 0.02) = 0.11 > neck 0.1.
  assert.deepEqual(ranking.order, ['head', 'backbone', 'neck']);
  assert.ok(Math.abs(ranking.stages[1]!.sensitivity - 0.11) < 1e-12);
  assert.ok(Math.abs(ranking.stages[2]!.meanDrop - 0.1 * 0.375) < 1e-12);
  assert.deepEqual(ranking.stages[1]!.units, ['model.2', 'model.8']);
  assert.deepEqual(ranking.groupOrder, ['head', 'shallow backbone', 'neck', 'deep backbone']);
  assert.equal(ranking.matchesPrunedYolo, true);
});

test('rankParts: a different order is reported as such', () => {
  const points = prunedYoloLike.map((p) =>
    p.unit === 'model.8' ? point('model.8', 'backbone', p.ratio, 0.9 * p.ratio, 300 * p.ratio) : p,
  );
  const ranking = rankParts(baseline, buildSensitivityCurves(baseline, points));
  assert.deepEqual(ranking.groupOrder, ['deep backbone', 'head', 'shallow backbone', 'neck']);
  assert.equal(ranking.matchesPrunedYolo, false);
  // Moving the split point makes model.8 shallow: one backbone group, listed where it ranks.
  const split = rankParts(baseline, buildSensitivityCurves(baseline, points), { shallowBackboneLast: 9 });
  assert.deepEqual(split.groupOrder, ['shallow backbone', 'head', 'neck']);
});
