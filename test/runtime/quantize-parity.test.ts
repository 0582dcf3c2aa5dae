// Our MinMax calibration and quantization parameters against onnxruntime's Python quantizer on the same
// model and calibration tensors (fixture: tools/dev-checks/quant-parity-dump.ts + quant-parity-fixture.py).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeModel } from '../../core/onnx';
import { foldBatchNorm } from '../../core/export';
import { quantParams, quantizeWeight } from '../../core/quantize';
import { calibrateRanges, tensorsToCalibrate } from '../../runtime/quantize/calibrate';
import { letterboxAll } from '../../runtime/quantize/calibration-set';
import { PARITY_CASE } from '../support/quant-parity-case';

interface Fixture {
  images: number;
  imgsz: number;
  activations: Record<string, { min: number; max: number; scale: number; zero_point: number }>;
  weights: Record<string, number[]>;
}

// Absolute, as the issue states it; both runtimes run the same kernels, but exposing tensors changes which
// ops onnxruntime fuses, so sums may differ in the last float bits.
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6;

test('MinMax scales and zero points equal onnxruntime Python quantizer to 1e-6', async () => {
  const fixture = JSON.parse(readFileSync(PARITY_CASE.fixture, 'utf8')) as Fixture;
  const { model } = foldBatchNorm(decodeModel(readFileSync(PARITY_CASE.model)));
  const images = await letterboxAll(PARITY_CASE.images(), fixture.imgsz);
  assert.equal(images.length, fixture.images);
  const ranges = await calibrateRanges(model, images, tensorsToCalibrate(model.graph, new Set()), 'minmax');
  const names = Object.keys(fixture.activations).filter((t) => ranges.has(t));
  assert.ok(
    names.length >= 0.9 * Object.keys(fixture.activations).length,
    `${names.length} tensors in common`,
  );
  for (const t of names) {
    const want = fixture.activations[t]!;
    const r = ranges.get(t)!;
    const p = quantParams(r.min, r.max, 'uint8', false);
    assert.ok(close(p.scale, want.scale), `${t}: scale ${p.scale} vs ${want.scale}`);
    assert.equal(p.zeroPoint, want.zero_point, `${t}: zero point`);
  }
});

test('per-channel weight scales equal onnxruntime Python quantizer to 1e-6', () => {
  const fixture = JSON.parse(readFileSync(PARITY_CASE.fixture, 'utf8')) as Fixture;
  const { model } = foldBatchNorm(decodeModel(readFileSync(PARITY_CASE.model)));
  const names = Object.keys(fixture.weights);
  assert.ok(names.length > 50);
  for (const name of names) {
    const { scales } = quantizeWeight(model.graph.initializers.get(name)!, 0);
    const want = fixture.weights[name]!;
    assert.equal(scales.length, want.length);
    scales.forEach((s, c) => assert.ok(close(s, want[c]!), `${name}[${c}]: ${s} vs ${want[c]}`));
  }
});
