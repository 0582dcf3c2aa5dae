// The fp16 deploy-form export (what a GPU worker evaluates fastest) scores what the fp32 deploy-form scores:
// the trained BCCD model, exported both ways, evaluated on the CPU on a mini BCCD, mAP within 0.002. This also
// runs float16 inputs and outputs through onnxruntime-node (runtime/ort.ts's Node 24 workaround).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportDeployForm } from '../../core/export';
import { evaluateModel } from '../../runtime/evaluate';
import { openDetector } from '../../runtime/inference';
import { readModelFile, writeModelFile } from '../../runtime/onnx-file';
import { repoRoot } from '../../runtime/paths';
import { miniBccd } from '../support/mini-bccd';

const TOLERANCE = 0.002;

test('fp16 and fp32 deploy-form exports of the BCCD model agree within 0.002 mAP on the CPU', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-fp16-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const trained = readModelFile(path.join(repoRoot, 'models', 'yolov8n-bccd.onnx'));
  const fp32 = path.join(dir, 'deploy-fp32.onnx');
  const fp16 = path.join(dir, 'deploy-fp16.onnx');
  writeModelFile(fp32, exportDeployForm(trained).model);
  writeModelFile(fp16, exportDeployForm(trained, { fp16: true }).model);

  const half = await openDetector(fp16);
  assert.equal(half.inputType, 'float16');
  await half.release();

  const data = miniBccd(path.join(dir, 'bccd'), 16);
  const evaluate = (model: string) =>
    evaluateModel({
      model,
      data,
      split: 'test',
      batch: 1,
      session: { ep: 'cpu', intraOpThreads: 2, graphOptimizationLevel: 'all' },
    });
  const a = await evaluate(fp32);
  const b = await evaluate(fp16);
  assert.equal(a.images, 16);
  assert.equal(b.images, 16);
  // A model that learnt something, or the agreement says nothing.
  assert.ok(a.metrics.map50 > 0.5, `fp32 mAP50 ${a.metrics.map50}`);
  const d5095 = Math.abs(a.metrics.map50_95 - b.metrics.map50_95);
  const d50 = Math.abs(a.metrics.map50 - b.metrics.map50);
  t.diagnostic(
    `mAP50-95 fp32 ${a.metrics.map50_95.toFixed(4)} fp16 ${b.metrics.map50_95.toFixed(4)} (|Δ| ${d5095.toFixed(4)}); ` +
      `mAP50 ${a.metrics.map50.toFixed(4)} / ${b.metrics.map50.toFixed(4)} (|Δ| ${d50.toFixed(4)})`,
  );
  assert.ok(d5095 <= TOLERANCE, `mAP50-95 differs by ${d5095}`);
  assert.ok(d50 <= TOLERANCE, `mAP50 differs by ${d50}`);
});
