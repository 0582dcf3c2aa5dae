import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inProcess } from '../support/cli-in-process';
import { decodeModel, metadataValue } from '../../core/onnx';
import { ort } from '../../runtime/ort';

const tiny = path.resolve(__dirname, '../../models/yolov8n-tiny-bccd.onnx');

test('quantize: writes a QDQ model onnxruntime loads, marked int8, with the class names kept', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-quantize-'));
  try {
    const out = path.join(dir, 'tiny-int8.onnx');
    const r = await inProcess('quantize', tiny, '--out', out, '--images', '4', '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { quantized_nodes: number; float_nodes: number };
    assert.ok(json.quantized_nodes > 100 && json.float_nodes > 10, r.stdout);
    assert.match(r.stderr, /4 images of .* split 'val'/);
    const model = decodeModel(fs.readFileSync(out));
    assert.equal(metadataValue(model, 'stageprune_precision'), 'int8');
    assert.equal(metadataValue(model, 'names'), metadataValue(decodeModel(fs.readFileSync(tiny)), 'names'));
    assert.ok(model.graph.nodes.some((n) => n.opType === 'QuantizeLinear'));
    assert.ok(!model.graph.nodes.some((n) => n.opType === 'BatchNormalization'), 'deploy form');
    const session = await ort.InferenceSession.create(out);
    await session.release();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('quantize: the test split is refused for calibration, bad budgets by the flag schema', async () => {
  const r = await inProcess('quantize', tiny, '--out', '/nonexistent/x.onnx', '--split', 'test');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /test split would make its scores optimistic/);
  const bad = await inProcess('quantize', tiny, '--out', '/nonexistent/x.onnx', '--max-drop=-1');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--max-drop must be a non-negative number/);
});
