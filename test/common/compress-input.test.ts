import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compressModelInputSchema } from '../../common/compress-input';

const base = { model: 's3://inputs/m.onnx', data: 's3://inputs/data/' };

test('granularities carry the names of the plan keys they write; the old names are read as the new', () => {
  const named = (granularity: string) =>
    compressModelInputSchema.parse({ ...base, planner: { kind: 'sensitivity' }, granularity }).granularity;
  assert.equal(named('group'), 'group');
  assert.equal(named('block'), 'block');
  assert.equal(named('channel'), 'group');
  assert.equal(named('layer'), 'block');
  assert.equal(compressModelInputSchema.safeParse({ ...base, granularity: 'bottleneck' }).success, false);
});

test("netadapt's image count is calibrationImages, as for every planner; the old evalImages is read as it", () => {
  const planner = (p: Record<string, unknown>) =>
    compressModelInputSchema.parse({ ...base, target: { latencyMs: 5 }, planner: { kind: 'netadapt', ...p } })
      .planner;
  assert.deepEqual(
    [planner({ calibrationImages: 4 }), planner({ evalImages: 6 }), planner({})].map((p) =>
      p.kind === 'netadapt' ? [p.calibrationImages, 'evalImages' in p] : undefined,
    ),
    [
      [4, false],
      [6, false],
      [32, false],
    ],
  );
});
