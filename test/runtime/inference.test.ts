import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expectedAnchors, openDetector, providerAvailability } from '../../runtime/inference';
import { InferenceError } from '../../runtime/inference-error';
import { benchmarkLatency, summarizeSamples } from '../../runtime/latency';
import { evaluateModel } from '../../runtime/evaluate';
import { bccdRoot } from '../../runtime/datasets';
import { makeDetector } from '../support/detector-models';

test('asking for CUDA where it is unusable is EP_UNAVAILABLE naming what is missing, never a CPU fallback', async (t) => {
  const availability = providerAvailability('cuda');
  if (availability.available) return t.skip('CUDA provider and device usable here');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stageprune-inf-'));
  try {
    const model = makeDetector(path.join(dir, 'm.onnx'), { imgsz: 64, nc: 2 });
    await assert.rejects(
      openDetector(model, { ep: 'cuda' }),
      (e: unknown) =>
        e instanceof InferenceError &&
        e.code === 'EP_UNAVAILABLE' &&
        // provider missing, a CUDA library missing, or no driver/device (test/runtime/cuda-provider.test.ts)
        /libonnxruntime_providers_cuda|CUDA library missing|no CUDA device/.test(e.message) &&
        e.message.includes(availability.reason!),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('models that are not detectors are refused naming the file', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stageprune-inf-'));
  try {
    const cls = makeDetector(path.join(dir, 'classifier.onnx'), { imgsz: 64, nc: 2, kind: 'classifier' });
    await assert.rejects(
      openDetector(cls),
      (e: unknown) =>
        e instanceof InferenceError &&
        e.code === 'MODEL_NOT_DETECTOR' &&
        e.message.includes('classifier.onnx'),
    );
    const garbage = path.join(dir, 'garbage.onnx');
    writeFileSync(garbage, 'not onnx');
    await assert.rejects(
      openDetector(garbage),
      (e: unknown) => e instanceof InferenceError && e.code === 'MODEL_LOAD_FAILED',
    );
    await assert.rejects(openDetector(path.join(dir, 'none.onnx')), /MODEL_NOT_FOUND|not found/);
    // Detector-shaped, but with an anchor count no YOLOv8 head has at this input size.
    const wrong = makeDetector(path.join(dir, 'wrong.onnx'), { imgsz: 64, nc: 3, anchors: 100 });
    await assert.rejects(
      evaluateModel({ model: wrong, data: bccdRoot(), split: 'test', imgsz: 64, batch: 8 }),
      (e: unknown) =>
        e instanceof InferenceError &&
        e.code === 'MODEL_NOT_DETECTOR' &&
        /100 anchors.*has 84/.test(e.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('latency benchmark: warm-up, timed runs, median and p90', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stageprune-inf-'));
  try {
    const det = await openDetector(makeDetector(path.join(dir, 'm.onnx'), { imgsz: 64, nc: 2 }), {
      ep: 'cpu',
      intraOpThreads: 1,
    });
    assert.equal(det.numClasses, 2);
    assert.equal(det.fixedBatch, null);
    const r = await benchmarkLatency(det, { batch: 2, imgsz: 64, warmup: 2, runs: 7 });
    await det.release();
    assert.equal(r.samplesMs.length, 7);
    assert.ok(r.p90Ms >= r.medianMs && r.medianMs >= r.minMs);
    assert.equal(r.throughputIps, 2000 / r.medianMs);
    assert.equal(expectedAnchors(640), 8400);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(summarizeSamples([5, 1, 3, 2, 4, 6, 7, 8, 9, 10]), {
    median: 5.5,
    p90: 9,
    mean: 5.5,
    min: 1,
  });
  assert.equal(summarizeSamples([3, 1, 2]).median, 2);
});
