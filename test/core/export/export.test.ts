import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ort } from '../../../runtime/ort';
import {
  DataType,
  decodeModel,
  encodeModel,
  float16BitsToFloat32 as fromHalfBits,
  float32ToFloat16Bits as toHalfBits,
  metadataValue,
  type Model,
} from '../../../core/onnx';
import { exportDeployForm, foldBatchNorm } from '../../../core/export';
import { buildYolo, buildYoloV8, yolov8Spec, yoloSpec } from '../../../core/yolo';

async function run(model: Model, imgsz: number, half = false, output = 'output0'): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(encodeModel(model));
  let seed = 11;
  const input = Float32Array.from(
    { length: 3 * imgsz * imgsz },
    () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24,
  );
  const feed = half
    ? new ort.Tensor('float16', Uint16Array.from(input, toHalfBits), [1, 3, imgsz, imgsz])
    : new ort.Tensor('float32', input, [1, 3, imgsz, imgsz]);
  const out = (await session.run({ images: feed }))[output]!;
  await session.release();
  if (!half) return out.data as Float32Array;
  return Float32Array.from(out.data as Uint16Array, fromHalfBits);
}

/** ‖a − b‖∞ / ‖a‖∞ over one slice of the output (boxes and scores have different scales). */
function relativeDifference(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(a[i]!));
  }
  return diff / scale;
}

test('folded and unfolded yolov8n give the same outputs (≤ 1e-4 relative) on random input at 640', async (t) => {
  const train = buildYoloV8(yolov8Spec('n'), { seed: 2, batchNorm: 'random' });
  const { model: deploy, report } = exportDeployForm(train);
  assert.equal(report.folded.length, 57);
  assert.deepEqual(report.kept, []);
  assert.equal(deploy.graph.nodes.filter((n) => n.opType === 'BatchNormalization').length, 0);
  // Also expose the class logits (before the Sigmoid): same tensor name in both forms.
  const logits = '/model.22/Concat_1_output_0';
  const withLogits = (m: Model): Model => ({
    ...m,
    graph: { ...m.graph, outputs: [...m.graph.outputs, { name: logits }] },
  });
  const a = await run(train, 640);
  const b = await run(deploy, 640);
  const anchors = 8400;
  const boxes = relativeDifference(a.subarray(0, 4 * anchors), b.subarray(0, 4 * anchors));
  const classLogits = relativeDifference(
    await run(withLogits(train), 640, false, logits),
    await run(withLogits(deploy), 640, false, logits),
  );
  assert.ok(boxes <= 1e-4, `boxes ${boxes}`);
  assert.ok(classLogits <= 1e-4, `class logits ${classLogits}`);
  assert.ok(relativeDifference(a, b) <= 1e-4);
  // Scores are sigmoids of logits near −11 (ultralytics' class prior), ~1e-5; onnxruntime's Sigmoid has an
  // absolute error near 2^-23, so they are compared absolutely.
  let scoreDiff = 0;
  for (let i = 4 * anchors; i < a.length; i++) scoreDiff = Math.max(scoreDiff, Math.abs(a[i]! - b[i]!));
  assert.ok(scoreDiff <= 1e-6, `scores ${scoreDiff}`);
  t.diagnostic(
    `relative difference: boxes ${boxes.toExponential(2)}, class logits ${classLogits.toExponential(2)}; scores max abs ${scoreDiff.toExponential(2)}`,
  );
  // and the fold did something: the random BN makes the unfolded conv outputs differ from the raw conv
  assert.notDeepEqual(
    deploy.graph.initializers.get('model.0.conv.weight')!.data,
    train.graph.initializers.get('model.0.conv.weight')!.data,
  );
});

test('folding gives ultralytics fused names: conv output feeds the activation, bias named .conv.bias', () => {
  const { model } = foldBatchNorm(buildYoloV8(yolov8Spec('n', { imgsz: 64 })));
  const conv = model.graph.nodes.find((n) => n.name === '/model.0/conv/Conv')!;
  assert.deepEqual(conv.inputs, ['images', 'model.0.conv.weight', 'model.0.conv.bias']);
  const sig = model.graph.nodes.find((n) => n.name === '/model.0/act/Sigmoid')!;
  assert.deepEqual(sig.inputs, ['/model.0/conv/Conv_output_0']);
  assert.ok(![...model.graph.initializers.keys()].some((k) => k.includes('.bn.')));
});

test('a BN whose conv output has another reader is kept and reported', () => {
  const train = buildYoloV8(yolov8Spec('n', { imgsz: 64 }));
  const extra = {
    name: 'peek',
    opType: 'Identity',
    domain: '',
    inputs: ['/model.0/conv/Conv_output_0'],
    outputs: ['peek_out'],
    attributes: {},
  };
  const { report } = foldBatchNorm({
    ...train,
    graph: { ...train.graph, nodes: [...train.graph.nodes, extra] },
  });
  assert.deepEqual(report.kept, [
    { name: '/model.0/bn/BatchNormalization', reason: 'the Conv output has other readers' },
  ]);
  assert.equal(report.folded.length, 56);
});

test('deploy metadata is what ultralytics AutoBackend reads', () => {
  const spec = yolov8Spec('n', { nc: 3, imgsz: 320, names: ['RBC', 'WBC', "Plate'lets"] });
  const { model } = exportDeployForm(buildYoloV8(spec));
  const meta = (k: string) => metadataValue(model, k);
  assert.equal(meta('stride'), '32');
  assert.equal(meta('task'), 'detect');
  assert.equal(meta('batch'), '1');
  assert.equal(meta('imgsz'), '[320, 320]');
  assert.equal(meta('names'), "{0: 'RBC', 1: 'WBC', 2: 'Plate\\'lets'}");
  assert.equal(meta('stageprune_form'), 'deploy');
  // A foreign model without metadata gets it derived from its shapes.
  const bare = exportDeployForm({ ...buildYoloV8(spec), metadataProps: [] }).model;
  assert.equal(metadataValue(bare, 'imgsz'), '[320, 320]');
  assert.equal(metadataValue(bare, 'names'), "{0: '0', 1: '1', 2: '2'}");
});

test('fp16 export stores float16 weights, keeps Resize scales float32, and runs close to fp32', async () => {
  const train = buildYoloV8(yolov8Spec('n', { imgsz: 128 }), { seed: 4 });
  const fp32 = exportDeployForm(train).model;
  const half = decodeModel(encodeModel(exportDeployForm(train, { fp16: true }).model));
  assert.equal(half.graph.initializers.get('model.0.conv.weight')!.dataType, DataType.FLOAT16);
  const scales = half.graph.nodes.find((n) => n.name === '/model.10/Constant')!.attributes.value!;
  assert.ok(scales.type === 'tensor' && scales.value.dataType === DataType.FLOAT);
  assert.equal(
    half.graph.inputs[0]!.type!.kind === 'tensor' && half.graph.inputs[0]!.type!.elemType,
    DataType.FLOAT16,
  );
  assert.equal(metadataValue(half, 'stageprune_precision'), 'fp16');
  const a = await run(fp32, 128);
  const b = await run(half, 128, true);
  const anchors = 336;
  assert.ok(relativeDifference(a.subarray(0, 4 * anchors), b.subarray(0, 4 * anchors)) < 1e-2);
});

test('fp16 export of a dynamic model (anchors built at run time) loads and runs: ConstantOfShape fills are fp16 too', async () => {
  const train = buildYolo(yoloSpec('yolov8', 'n', { imgsz: 128 }), { seed: 4, dynamic: true });
  const half = exportDeployForm(train, { fp16: true }).model;
  const fill = half.graph.nodes.find((n) => n.opType === 'ConstantOfShape')!.attributes.value!;
  assert.ok(fill.type === 'tensor' && fill.value.dataType === DataType.FLOAT16);
  const a = await run(exportDeployForm(train).model, 128);
  const b = await run(half, 128, true);
  assert.ok(relativeDifference(a.subarray(0, 4 * 336), b.subarray(0, 4 * 336)) < 1e-2);
});
