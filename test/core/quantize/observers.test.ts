import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EntropyObserver, MinMaxObserver, PercentileObserver, quantParams } from '../../../core/quantize';
import { klAtClip } from '../../../core/quantize/observers';
import { roundHalfEven, quantizeValue } from '../../../core/quantize/quant-params';

test('MinMax keeps the extremes over every batch', () => {
  const o = new MinMaxObserver();
  o.observe(Float32Array.from([0.5, -1, 2]));
  o.observe(Float32Array.from([3, 0]));
  assert.deepEqual(o.range(), { min: -1, max: 3 });
});

test('quantParams: uint8 asymmetric and int8 symmetric, worked by hand', () => {
  // [-1, 3] on uint8: scale 4/255, zero point round(0 + 1 / (4/255)) = round(63.75) = 64.
  const u = quantParams(-1, 3, 'uint8', false);
  assert.equal(u.scale, Math.fround(4 / 255));
  assert.equal(u.zeroPoint, 64);
  // A range not containing 0 is widened to it: [2, 5] → [0, 5], zero point 0.
  assert.deepEqual(quantParams(2, 5, 'uint8', false), { scale: Math.fround(5 / 255), zeroPoint: 0 });
  // int8 symmetric drops -128: [-0.5, 1.27] → ±1.27 over 254 levels, zero point 0.
  assert.deepEqual(quantParams(-0.5, 1.27, 'int8', true), { scale: Math.fround(2.54 / 254), zeroPoint: 0 });
  // An all-zero tensor gets scale 1 rather than a division by zero.
  assert.deepEqual(quantParams(0, 0, 'uint8', false), { scale: 1, zeroPoint: 0 });
});

test('rounding is half to even, as numpy and QuantizeLinear round', () => {
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, -0, -2, 2, 3]);
  assert.equal(quantizeValue(1000, { scale: 1, zeroPoint: 0 }, 'int8', true), 127);
  assert.equal(quantizeValue(-1000, { scale: 1, zeroPoint: 0 }, 'int8', true), -127);
});

/** Evenly spread over [-1, 1], plus two far outliers (0.001% of the values). */
function uniformWithOutliers(n: number): Float32Array {
  const v = Float32Array.from({ length: n }, (_, i) => (2 * i) / (n - 1) - 1);
  v[0] = 40;
  v[n - 1] = -40;
  return v;
}

test('percentile clips the outliers MinMax keeps', () => {
  const p = new PercentileObserver(99.9);
  p.observe(uniformWithOutliers(200_000));
  const r = p.range();
  // 99.9% of the |x| mass lies below 0.999; bins are 40/2048 wide.
  assert.ok(r.max > 0.99 && r.max < 1.03, `percentile max ${r.max}`);
  assert.equal(r.min, -r.max, 'signed data gets a symmetric clip');
});

test('entropy clips between the bulk and the outliers', () => {
  const e = new EntropyObserver();
  e.observe(uniformWithOutliers(200_000));
  const r = e.range();
  assert.ok(r.max >= 0.99 && r.max < 5, `entropy max ${r.max}`);
});

test('KL at a clip: zero when the histogram is already representable, positive when merging loses shape', () => {
  const flat = new Float64Array(256).fill(1);
  assert.ok(klAtClip(flat, 256, 128) < 1e-12);
  const spiky = new Float64Array(256);
  for (let i = 0; i < 256; i += 2) spiky[i] = 10;
  for (let i = 1; i < 256; i += 4) spiky[i] = 1;
  assert.ok(klAtClip(spiky, 256, 64) > 0.01);
});

test('sampled observers keep a later, wider batch', () => {
  const p = new PercentileObserver(100);
  p.observe(Float32Array.from([0.1, 0.2, 0.3]));
  p.observe(Float32Array.from([10]));
  const r = p.range();
  assert.equal(r.max, 10);
  assert.ok(Math.abs(r.min - 0.1) < 1e-6);
});

test('a one-sided tensor far from zero keeps its span (entropy and percentile)', () => {
  // Sigmoid-like values in [0.2, 0.9]: a histogram from 0 would put them in a few of its bins.
  const values = Float32Array.from({ length: 50_000 }, (_, i) => 0.2 + (0.7 * i) / 49_999);
  for (const o of [new EntropyObserver(), new PercentileObserver(99.9)]) {
    o.observe(values);
    const r = o.range();
    assert.ok(Math.abs(r.min - 0.2) < 1e-6, `${o.constructor.name} min ${r.min}`);
    assert.ok(r.max > 0.85 && r.max <= 0.9 + 1e-6, `${o.constructor.name} max ${r.max}`);
  }
});
