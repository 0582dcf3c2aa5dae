import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeModel } from '../../../core/onnx';
import { StagepruneError } from '../../../core/errors';
import {
  anchorGrid,
  buildYoloV8,
  loadWeightsByName,
  moduleIndexOfNode,
  moduleIndexOfParameter,
  parseArch,
  resolveModules,
  partOfModule,
  YOLOV8_STAGE_MAP,
  yolov8Spec,
} from '../../../core/yolo';

test('yolov8n channels follow parse_model (width 0.25, depth 0.33)', () => {
  const modules = resolveModules(yolov8Spec('n'));
  assert.deepEqual(
    modules.slice(0, 22).map((m) => ('c2' in m ? m.c2 : 0)),
    [16, 32, 32, 64, 64, 128, 128, 256, 256, 256, 256, 384, 128, 128, 192, 64, 64, 192, 128, 128, 384, 256],
  );
  assert.deepEqual(
    modules.filter((m) => m.kind === 'C2f').map((m) => (m.kind === 'C2f' ? [m.n, m.shortcut] : [])),
    [
      [1, true],
      [2, true],
      [2, true],
      [1, true],
      [1, false],
      [1, false],
      [1, false],
      [1, false],
    ],
  );
  const detect = modules[22]!;
  assert.ok(detect.kind === 'Detect');
  assert.deepEqual(detect.ch, [64, 128, 256]);
  // yolov8x: max channels 512 before width 1.25 → 640
  const sppf = resolveModules(yolov8Spec('x'))[9]!;
  assert.ok(sppf.kind === 'SPPF');
  assert.equal(sppf.c2, 640);
});

test('train-form names and topology follow ultralytics export', () => {
  const model = buildYoloV8(yolov8Spec('n'));
  const byName = new Map(model.graph.nodes.map((n) => [n.name, n]));
  const conv = byName.get('/model.2/cv1/conv/Conv')!;
  assert.deepEqual(conv.inputs, ['/model.1/act/Mul_output_0', 'model.2.cv1.conv.weight']);
  assert.deepEqual(byName.get('/model.2/cv1/bn/BatchNormalization')!.inputs, [
    '/model.2/cv1/conv/Conv_output_0',
    'model.2.cv1.bn.weight',
    'model.2.cv1.bn.bias',
    'model.2.cv1.bn.running_mean',
    'model.2.cv1.bn.running_var',
  ]);
  assert.deepEqual(byName.get('/model.2/cv1/act/Mul')!.inputs, [
    '/model.2/cv1/bn/BatchNormalization_output_0',
    '/model.2/cv1/act/Sigmoid_output_0',
  ]);
  assert.deepEqual(byName.get('/model.9/m_2/MaxPool')!.inputs, ['/model.9/m_1/MaxPool_output_0']);
  assert.deepEqual(byName.get('/model.11/Concat')!.inputs, [
    '/model.10/Resize_output_0',
    '/model.6/cv2/act/Mul_output_0',
  ]);
  assert.deepEqual(byName.get('/model.22/cv3.2/cv3.2.2/Conv')!.inputs.slice(1), [
    'model.22.cv3.2.2.weight',
    'model.22.cv3.2.2.bias',
  ]);
  assert.ok(byName.has('/model.22/dfl/Softmax'));
  const last = model.graph.nodes[model.graph.nodes.length - 1]!;
  assert.equal(last.name, '/model.22/Concat_3');
  assert.deepEqual(last.inputs, ['/model.22/Mul_2_output_0', '/model.22/Sigmoid_output_0']);
  assert.deepEqual(last.outputs, ['output0']);
  assert.deepEqual(model.graph.outputs[0]!.type, { kind: 'tensor', elemType: 1, shape: [1, 84, 8400] });
  assert.equal(model.graph.nodes.filter((n) => n.opType === 'BatchNormalization').length, 57);
  assert.deepEqual(model.opsetImports, [{ domain: '', version: 18 }]);
  assert.deepEqual(
    Array.from(model.graph.initializers.get('model.22.dfl.conv.weight')!.data as Float32Array),
    Array.from({ length: 16 }, (_, i) => i),
  );
});

test('builds are deterministic per seed', () => {
  const spec = yolov8Spec('n', { imgsz: 64 });
  const a = encodeModel(buildYoloV8(spec, { seed: 0 }));
  assert.deepEqual(encodeModel(buildYoloV8(spec, { seed: 0 })), a);
  const other = buildYoloV8(spec, { seed: 1 });
  assert.notDeepEqual(encodeModel(other), a);
  const w = other.graph.initializers.get('model.0.conv.weight')!.data as Float32Array;
  // torch's default init bound for fan_in 27 is 1/√27
  assert.ok(w.every((v) => Math.abs(v) <= 1 / Math.sqrt(27)));
  assert.ok(Math.max(...w.map(Math.abs)) > 0.5 / Math.sqrt(27));
});

test('weights load by name; shape mismatches and missing tensors are reported', () => {
  const target = buildYoloV8(yolov8Spec('n', { imgsz: 64 }), { seed: 0 });
  const source = buildYoloV8(yolov8Spec('n', { nc: 3, imgsz: 64 }), { seed: 5, batchNorm: 'random' });
  const { model, report } = loadWeightsByName(target, source);
  const get = (m: typeof model, n: string) => Array.from(m.graph.initializers.get(n)!.data as Float32Array);
  assert.deepEqual(
    get(model, 'model.4.m.1.cv2.bn.running_var'),
    get(source, 'model.4.m.1.cv2.bn.running_var'),
  );
  assert.deepEqual(get(model, 'model.22.cv3.0.2.weight'), get(target, 'model.22.cv3.0.2.weight'));
  // nc=3 → class branch width max(64, 3) = 64; nc=80 → 80: every cv3 tensor differs (12 per level).
  assert.equal(report.shapeMismatch.length, 36);
  assert.ok(report.shapeMismatch.every((m) => m.name.startsWith('model.22.cv3.')));
  assert.deepEqual(
    report.shapeMismatch.find((m) => m.name === 'model.22.cv3.0.2.weight'),
    {
      name: 'model.22.cv3.0.2.weight',
      target: [80, 80, 1, 1],
      source: [3, 64, 1, 1],
    },
  );
  assert.deepEqual(report.missing, []);
  assert.equal(
    report.loaded.length + report.shapeMismatch.length,
    [...target.graph.initializers.values()].filter((t) => t.data instanceof Float32Array).length,
  );
  assert.notDeepEqual(get(target, 'model.0.conv.weight'), get(model, 'model.0.conv.weight'));
});

test('anchor grid: centres per level, x row then y row, strides 8/16/32', () => {
  const { points, strides } = anchorGrid(64);
  // 8×8 + 4×4 + 2×2 = 84 anchors
  assert.equal(strides.length, 84);
  assert.deepEqual(Array.from(points.subarray(0, 9)), [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 0.5]);
  assert.deepEqual(Array.from(points.subarray(84, 84 + 9)), [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1.5]);
  assert.deepEqual([strides[63], strides[64], strides[79], strides[80], strides[83]], [8, 16, 16, 32, 32]);
});

test('stage map: backbone 0–9, neck 10–21, head 22; module indices from names', () => {
  assert.deepEqual(
    [0, 9, 10, 21, 22, 23].map((i) => partOfModule(i, YOLOV8_STAGE_MAP)),
    ['backbone', 'backbone', 'neck', 'neck', 'head', undefined],
  );
  assert.equal(moduleIndexOfNode('/model.12/m.0/cv1/conv/Conv'), 12);
  assert.equal(moduleIndexOfNode('/model.22'), 22);
  assert.equal(moduleIndexOfNode('Identity_24'), undefined);
  assert.equal(moduleIndexOfNode('/model.x/Conv'), undefined);
  assert.equal(moduleIndexOfParameter('model.22.dfl.conv.weight'), 22);
});

test('bad specs are typed errors', () => {
  assert.throws(
    () => parseArch('yolov9c'),
    (e: unknown) => e instanceof StagepruneError && e.code === 'YOLO_SPEC_INVALID',
  );
  assert.throws(() => yolov8Spec('n', { imgsz: 100 }), /multiple of 32/);
  assert.throws(() => yolov8Spec('n', { nc: 0 }), /nc must be/);
  assert.throws(() => yolov8Spec('n', { nc: 2, names: ['a'] }), /1 class names/);
});
