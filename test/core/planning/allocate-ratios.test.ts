import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allocateSensitivityRatios,
  buildSensitivityCurves,
  PlanError,
  REVIEW_PART_BOUNDS,
  SensitivityTargetSchema,
} from '../../../core/planning';
import { StagepruneError } from '../../../core/errors';
import { baseline, point, twoUnits } from './fixtures-synthetic';

const curves = buildSensitivityCurves(baseline, twoUnits);
const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

test('allocation meets a FLOPs target from the insensitive unit alone, stopping exactly at the target', () => {
  const a = allocateSensitivityRatios(baseline, curves, { flopsReduction: 0.15 });
  // model.15: 0.2 saves 100 FLOPs for 0.002; half of the next segment saves 50 more for 0.0015.
  assert.deepEqual(a.modules, { 'model.15': 0.3 });
  assert.equal(a.met, true);
  close(a.predictedFlops, 850, 'FLOPs');
  close(a.predictedParams, 85, 'params');
  close(a.predictedMap50_95, 0.5 - 0.0035, 'mAP50-95');
});

test('allocation: stage bounds force the sensitive unit in, only as far as needed', () => {
  const a = allocateSensitivityRatios(baseline, curves, { flopsReduction: 0.15 }, { bounds: { neck: 0.2 } });
  assert.deepEqual(a.modules, { 'model.2': 0.1, 'model.15': 0.2 });
  close(a.predictedFlops, 850, 'FLOPs');
  close(a.predictedMap50_95, 0.5 - 0.002 - 0.025, 'mAP50-95');
  // maxRatio caps every unit the same way.
  const capped = allocateSensitivityRatios(baseline, curves, { flopsReduction: 0.2 }, { maxRatio: 0.2 });
  assert.deepEqual(capped.modules, { 'model.2': 0.2, 'model.15': 0.2 });
});

test('allocation: both targets must be met; params drive it when they are the harder one', () => {
  const a = allocateSensitivityRatios(baseline, curves, { flopsReduction: 0.1, paramsReduction: 0.3 });
  assert.equal(a.met, true);
  assert.ok(a.predictedParams <= 70 + 1e-9, `params ${a.predictedParams}`);
  assert.ok(a.predictedFlops <= 900 + 1e-9);
  assert.deepEqual(Object.keys(a.modules).sort(), ['model.15', 'model.2']);
  assert.equal(a.modules['model.15'], 0.4);
});

test('allocation looks ahead over measured ratios: a costly first step does not hide a free second one', () => {
  const c = buildSensitivityCurves(baseline, [
    point('model.6', 'backbone', 0.1, 0.05, 50),
    point('model.6', 'backbone', 0.5, 0.05, 500),
    point('model.12', 'neck', 0.1, 0.01, 50),
    point('model.12', 'neck', 0.5, 0.1, 500),
  ]);
  const a = allocateSensitivityRatios(baseline, c, { flopsReduction: 0.4 });
  // One step at a time, model.12 to 0.1 (0.01 per 50 FLOPs) would look cheaper than model.6 to 0.1 (0.05);
  // looking ahead, model.6 to 0.5 costs 0.05 per 500 and is taken, stopping once 400 are saved.
  assert.deepEqual(Object.keys(a.modules), ['model.6']);
  close(a.modules['model.6']!, 0.4112, 'model.6 ratio (0.1 + 0.4·350/450, rounded up to 4 decimals)');
  assert.ok(a.predictedFlops <= 600);
  close(a.predictedMap50_95, 0.45, 'mAP50-95');
});

test('an impossible target throws PLAN_TARGET_UNREACHABLE, an input error; allowPartial returns the best effort', () => {
  assert.throws(
    () => allocateSensitivityRatios(baseline, curves, { flopsReduction: 0.5 }),
    (e: unknown) =>
      e instanceof PlanError &&
      e instanceof StagepruneError &&
      e.code === 'PLAN_TARGET_UNREACHABLE' &&
      e.isInputError &&
      /flops reduction 0\.500 asked, at most 0\.400 reachable/.test(e.message),
  );
  assert.throws(
    () =>
      allocateSensitivityRatios(baseline, curves, { flopsReduction: 0.36 }, { bounds: REVIEW_PART_BOUNDS }),
    (e: unknown) => e instanceof PlanError && e.code === 'PLAN_TARGET_UNREACHABLE',
  );
  const best = allocateSensitivityRatios(baseline, curves, { flopsReduction: 0.5 }, { allowPartial: true });
  assert.equal(best.met, false);
  assert.deepEqual(best.modules, { 'model.2': 0.4, 'model.15': 0.4 });
  close(best.predictedFlops, 600, 'FLOPs');
});

test('target schema: a reduction in (0, 1), at least one named; bad targets are PLAN_TARGET_INVALID', () => {
  assert.equal(SensitivityTargetSchema.safeParse({ flopsReduction: 0.5 }).success, true);
  assert.equal(
    SensitivityTargetSchema.safeParse({ paramsReduction: 0.3, flopsReduction: 0.2 }).success,
    true,
  );
  for (const bad of [{}, { flopsReduction: 1.2 }, { flopsReduction: 0 }, { flops: 0.5 }]) {
    assert.equal(SensitivityTargetSchema.safeParse(bad).success, false, JSON.stringify(bad));
    assert.throws(
      () => allocateSensitivityRatios(baseline, curves, bad as never),
      (e: unknown) => e instanceof PlanError && e.code === 'PLAN_TARGET_INVALID',
    );
  }
  assert.throws(
    () => allocateSensitivityRatios(baseline, curves, { flopsReduction: 0.1 }, { maxRatio: 2 }),
    (e: unknown) => e instanceof PlanError && e.code === 'PLAN_TARGET_INVALID',
  );
});
