import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ort } from '../../../runtime/ort';
import { decodeModel, encodeModel, type Model } from '../../../core/onnx';
import { foldBatchNorm } from '../../../core/export';
import {
  decodePathNodes,
  QuantizeError,
  quantizeModel,
  quantizeWeight,
  type Range,
} from '../../../core/quantize';
import { calibrateRanges, tensorsToCalibrate } from '../../../runtime/quantize/calibrate';

const tiny = () =>
  foldBatchNorm(decodeModel(readFileSync(path.resolve(__dirname, '../../../models/yolov8n-tiny-bccd.onnx'))))
    .model;

function syntheticImage(size: number, seed: number): { dims: number[]; data: Float32Array } {
  let s = seed;
  const data = Float32Array.from(
    { length: 3 * size * size },
    () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24,
  );
  return { dims: [1, 3, size, size], data };
}

async function output(model: Model, image: { dims: number[]; data: Float32Array }): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(encodeModel(model), { logSeverityLevel: 3 });
  try {
    const out = await session.run({ images: new ort.Tensor('float32', image.data, image.dims) });
    return out[model.graph.outputs[0]!.name]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

async function quantizedTiny() {
  const model = tiny();
  const keepFloat = decodePathNodes(model.graph);
  const images = [1, 2, 3, 4].map((s) => syntheticImage(160, s));
  const ranges = await calibrateRanges(model, images, tensorsToCalibrate(model.graph, keepFloat), 'minmax');
  return {
    model,
    keepFloat,
    ranges,
    q: quantizeModel(model, ranges, { activationType: 'uint8', keepFloat }),
  };
}

test('the decode path is the head after its last feature convolutions', () => {
  const model = tiny();
  const decode = decodePathNodes(model.graph);
  const names = [...decode];
  assert.ok(
    names.some((n) => /dfl\/Softmax/.test(n)),
    'DFL softmax',
  );
  assert.ok(
    names.some((n) => /dfl\/conv\/Conv/.test(n)),
    "DFL's fixed 1×1 conv",
  );
  assert.ok(
    names.some((n) => /Sigmoid$/.test(n) && n.startsWith('/model.22/')),
    'class sigmoid',
  );
  const convs = model.graph.nodes.filter((n) => decode.has(n.name) && n.opType === 'Conv');
  assert.equal(convs.length, 1, 'only the DFL conv; every feature conv is quantized');
});

test('QDQ insertion keeps the graph valid and the outputs within quantization error', async () => {
  const { model, q, keepFloat } = await quantizedTiny();
  assert.ok(q.quantizedNodes.length > 100, `${q.quantizedNodes.length} nodes quantized`);
  for (const n of q.quantizedNodes) assert.ok(!keepFloat.has(n));
  const image = syntheticImage(160, 9);
  const [float, int8] = await Promise.all([output(model, image), output(q.model, image)]);
  assert.equal(float.length, int8.length);
  // Rows 0-3 are pixel boxes, the rest class probabilities: compare each on its own scale.
  const anchors = 20 * 20 + 10 * 10 + 5 * 5; // strides 8, 16, 32 at 160 px
  let boxErr = 0;
  let clsErr = 0;
  for (let i = 0; i < float.length; i++) {
    const d = Math.abs(float[i]! - int8[i]!);
    if (i < 4 * anchors) boxErr = Math.max(boxErr, d);
    else clsErr = Math.max(clsErr, d);
  }
  assert.ok(boxErr < 16, `largest box coordinate error ${boxErr} px at 160 px`);
  assert.ok(clsErr < 0.15, `largest class probability error ${clsErr}`);
  assert.ok(boxErr > 0 || clsErr > 0, 'the quantized model differs at all');
});

test('concat inputs share the output scale, so nothing is requantized', async () => {
  const { model, q } = await quantizedTiny();
  const concats = model.graph.nodes.filter((n) => n.opType === 'Concat' && q.quantizedNodes.includes(n.name));
  assert.ok(concats.length > 0);
  for (const c of concats) {
    const scales = [...c.inputs, c.outputs[0]!].map((t) => q.activations.get(t)!.scale);
    assert.ok(
      scales.every((s) => s === scales[0]),
      `${c.name}: ${scales.join(', ')}`,
    );
  }
  for (const n of q.model.graph.nodes.filter((x) => x.opType === 'QuantizeLinear'))
    assert.ok(
      n.inputs.every((t) => !t.endsWith('_DequantizeLinear_Output')),
      `${n.name} requantizes`,
    );
});

test('per-channel int8 weights round-trip within half a step of each channel', () => {
  const w = {
    name: 'w',
    dataType: 1,
    dims: [2, 1, 1, 3],
    data: Float32Array.from([0.5, -1.27, 0.01, 100, 50, -25]),
  };
  const { values, scales } = quantizeWeight(w, 0);
  assert.deepEqual(scales, [Math.fround(1.27 / 127), Math.fround(100 / 127)]);
  for (let i = 0; i < 6; i++) {
    const s = scales[Math.floor(i / 3)]!;
    assert.ok(Math.abs(values[i]! * s - w.data[i]!) <= s / 2 + 1e-7, `element ${i}`);
  }
  assert.equal(values[1], -127);
  assert.equal(values[3], 127);
});

test('a model already quantized or on an old opset is refused with a typed error', async () => {
  const { q, ranges } = await quantizedTiny();
  assert.throws(
    () => quantizeModel(q.model, ranges, { activationType: 'uint8', keepFloat: new Set() }),
    (e: unknown) => e instanceof QuantizeError && e.code === 'QUANTIZE_ALREADY_QUANTIZED',
  );
  const old: Model = { ...tiny(), opsetImports: [{ domain: '', version: 12 }] };
  assert.throws(
    () => quantizeModel(old, new Map<string, Range>(), { activationType: 'uint8', keepFloat: new Set() }),
    (e: unknown) => e instanceof QuantizeError && e.code === 'QUANTIZE_OPSET_TOO_OLD',
  );
});
