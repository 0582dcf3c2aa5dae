import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSensitivityCurves, curveValueAt, PlanError } from '../../../core/planning';
import { baseline, point, twoUnits } from './fixtures-synthetic';

test('curves: one per unit in network order, points sorted by ratio, verbatim repeats kept once', () => {
  const curves = buildSensitivityCurves(baseline, [...twoUnits, twoUnits[1]!]);
  assert.deepEqual(
    curves.map((c) => [c.unit, c.stage, c.points.map((p) => p.ratio)]),
    [
      ['model.2', 'backbone', [0.2, 0.4]],
      ['model.15', 'neck', [0.2, 0.4]],
    ],
  );
});

test('curves: conflicting measurements, a unit in two stages, or a ratio outside (0, 1) are PLAN_SCAN_INVALID', () => {
  const invalid = (points: Parameters<typeof buildSensitivityCurves>[1]) =>
    assert.throws(
      () => buildSensitivityCurves(baseline, points),
      (e: unknown) => e instanceof PlanError && e.code === 'PLAN_SCAN_INVALID' && e.isInputError,
    );
  invalid([point('model.2', 'backbone', 0.2, 0.05, 100), point('model.2', 'backbone', 0.2, 0.06, 100)]);
  invalid([point('model.2', 'backbone', 0.2, 0.05, 100), point('model.2', 'neck', 0.4, 0.06, 200)]);
  invalid([point('model.2', 'backbone', 0, 0, 0)]);
  invalid([point('model.2', 'backbone', 1, 0.5, 1000)]);
  invalid([point('model.2', 'backbone', 0.2, Number.NaN, 100)]);
});

test('curves: linear interpolation from the implicit (0, baseline) point, no extrapolation', () => {
  const [a] = buildSensitivityCurves(baseline, twoUnits);
  assert.deepEqual(curveValueAt(a!, baseline, 0), baseline);
  const mid = curveValueAt(a!, baseline, 0.1);
  assert.ok(Math.abs(mid.map50_95 - 0.475) < 1e-12);
  assert.equal(mid.flops, 950);
  const upper = curveValueAt(a!, baseline, 0.3);
  assert.ok(Math.abs(upper.map50_95 - (0.5 - 0.085)) < 1e-12);
  assert.equal(upper.params, 85);
  assert.throws(() => curveValueAt(a!, baseline, 0.5), RangeError);
});
