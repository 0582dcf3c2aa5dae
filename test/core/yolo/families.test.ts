// YOLO11 and YOLOv5u are built like YOLOv8: the published ultralytics 8.4 figures are reproduced exactly
// from the architecture alone, every size. Reference numbers: ultralytics 8.4.190, DetectionModel(yaml,
// nc=80) parameters and get_flops(model, 640), unfused and after model.fuse() (tools/dev-checks).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportDeployForm } from '../../../core/export';
import { computeStats } from '../../../core/stats';
import {
  archName,
  buildYolo,
  parseArch,
  resolveModules,
  partMapOf,
  yoloSpec,
  type YoloFamily,
  type YoloSize,
} from '../../../core/yolo';
import { runModel } from '../../support/pruning/run-onnx';

// [params, fused params, FLOPs, fused FLOPs] at 640, nc=80.
const ULTRALYTICS: Record<string, readonly [number, number, number, number]> = {
  yolo11n: [2_624_080, 2_616_248, 6_673_318_400, 6_542_502_400],
  yolo11s: [9_458_752, 9_443_760, 21_836_339_200, 21_589_760_000],
  yolo11m: [20_114_688, 20_091_712, 68_643_072_000, 68_104_448_000],
  yolo11l: [25_372_160, 25_340_992, 87_851_059_200, 87_155_968_000],
  yolo11x: [56_966_176, 56_919_424, 196_315_084_800, 195_272_448_000],
  yolov5nu: [2_654_816, 2_649_200, 7_838_873_600, 7_724_902_400],
  yolov5su: [9_153_152, 9_142_496, 24_210_483_200, 23_995_443_200],
  yolov5mu: [25_111_456, 25_091_536, 64_602_777_600, 64_205_875_200],
  yolov5lu: [53_225_024, 53_193_088, 135_620_044_800, 134_988_851_200],
  yolov5xu: [97_276_448, 97_229_648, 247_312_947_200, 246_392_883_200],
};

for (const [arch, [params, fused, flops, fusedFlops]] of Object.entries(ULTRALYTICS)) {
  test(`${arch}: ${params} parameters (${fused} fused), FLOPs as ultralytics 8.4 counts them`, () => {
    const { family, size } = parseArch(arch);
    const model = buildYolo(yoloSpec(family, size));
    const s = computeStats(model);
    assert.equal(s.params, params);
    assert.equal(s.flops, flops);
    const d = computeStats(exportDeployForm(model).model);
    assert.equal(d.params, fused);
    assert.equal(d.flops, fusedFlops);
    assert.equal(s.stages.backbone.params + s.stages.neck.params + s.stages.head.params, s.params);
  });
}

test('yolo11n and yolov5nu per-module parameters match ultralytics (nc=3)', () => {
  const perModule = (family: YoloFamily) =>
    computeStats(buildYolo(yoloSpec(family, 'n', { nc: 3 }))).modules.map((m) => m.params);
  assert.deepEqual(
    perModule('yolo11'),
    [
      464, 4672, 6640, 36992, 26080, 147712, 87040, 295424, 346112, 164608, 249728, 0, 0, 111296, 0, 0, 32096,
      36992, 0, 86720, 147712, 0, 378880, 431257,
    ],
  );
  assert.deepEqual(perModule('yolov5u').length, 25);
  assert.equal(
    perModule('yolov5u').reduce((a, b) => a + b, 0),
    2_509_049,
  );
});

test('C3k2 uses C3k blocks where the YAML or the m/l/x scale asks; C2PSA has one PSA block per 64 channels of heads', () => {
  const c3k = (size: YoloSize) =>
    resolveModules(yoloSpec('yolo11', size)).flatMap((m) => (m.kind === 'C3k2' ? [m.c3k] : []));
  assert.deepEqual(c3k('n'), [false, false, true, true, false, false, false, true]);
  assert.deepEqual(c3k('m'), [true, true, true, true, true, true, true, true]);
  const model = buildYolo(yoloSpec('yolo11', 'n', { imgsz: 64 }));
  const qkv = model.graph.initializers.get('model.10.m.0.attn.qkv.conv.weight')!;
  // dim 128, 2 heads, key_dim 32, head_dim 64: qkv width 128 + 2·2·32 = 256
  assert.deepEqual(qkv.dims, [256, 128, 1, 1]);
  const names = new Set(model.graph.nodes.map((n) => n.name));
  for (const n of [
    '/model.6/m.0/m/m.1/cv2/conv/Conv',
    '/model.10/m/m.0/attn/MatMul_1',
    '/model.10/m/m.0/ffn/ffn.1/bn/BatchNormalization',
    '/model.23/cv3.0/cv3.0.0/cv3.0.0.0/conv/Conv',
    '/model.23/cv3.2/cv3.2.2/Conv',
  ])
    assert.ok(names.has(n), `missing ${n}`);
  const v5 = buildYolo(yoloSpec('yolov5u', 'n', { imgsz: 64 }));
  const first = v5.graph.nodes.find((n) => n.name === '/model.0/conv/Conv')!;
  assert.deepEqual(first.attributes['kernel_shape'], { type: 'ints', value: [6, 6] });
  assert.deepEqual(first.attributes['pads'], { type: 'ints', value: [2, 2, 2, 2] });
  assert.ok(v5.graph.nodes.some((n) => n.name === '/model.2/m/m.0/cv1/conv/Conv'));
});

test('stage maps: from our metadata, from an ultralytics description, from the Detect index', () => {
  for (const [family, ranges] of [
    ['yolov8', { backbone: [0, 9], neck: [10, 21], head: [22, 22] }],
    ['yolo11', { backbone: [0, 10], neck: [11, 22], head: [23, 23] }],
    ['yolov5u', { backbone: [0, 9], neck: [10, 23], head: [24, 24] }],
  ] as const) {
    const model = buildYolo(yoloSpec(family, 'n', { imgsz: 64 }));
    assert.deepEqual(partMapOf(model), { family, ranges });
    const description = `Ultralytics ${archName({ family, size: 'n' }).replace('yolo', 'YOLO')} model trained on data.yaml`;
    const ultralytics = { ...model, metadataProps: [{ key: 'description', value: description }] };
    assert.equal(partMapOf(ultralytics).family, family, description);
    const bare = { ...model, metadataProps: [] };
    assert.deepEqual(partMapOf(bare).ranges, ranges);
  }
});

test('every family runs in onnxruntime; dynamic builds take any batch and image size', async () => {
  for (const family of ['yolo11', 'yolov5u'] as const) {
    const model = buildYolo(yoloSpec(family, 'n', { nc: 3, imgsz: 64 }));
    const image = { dims: [1, 3, 64, 64], data: new Float32Array(3 * 64 * 64).fill(0.5) };
    const out = await runModel(model, { images: image });
    assert.equal(out['output0']!.length, 7 * 84);
  }
  for (const family of ['yolov8', 'yolo11'] as const) {
    const fixed = buildYolo(yoloSpec(family, 'n', { nc: 3, imgsz: 96 }), { seed: 2 });
    const dynamic = buildYolo(yoloSpec(family, 'n', { nc: 3, imgsz: 96 }), { seed: 2, dynamic: true });
    const pixels = Float32Array.from({ length: 3 * 96 * 96 }, (_, i) => ((i * 7919) % 255) / 255);
    const a = await runModel(fixed, { images: { dims: [1, 3, 96, 96], data: pixels } });
    const b = await runModel(dynamic, { images: { dims: [1, 3, 96, 96], data: pixels } });
    assert.deepEqual(Array.from(b['output0']!), Array.from(a['output0']!), `${family}: dynamic = static`);
    if (family === 'yolov8') {
      const two = new Float32Array(2 * 3 * 64 * 128).fill(0.25);
      const c = await runModel(dynamic, { images: { dims: [2, 3, 64, 128], data: two } });
      // 2 images × 7 rows × (8·16 + 4·8 + 2·4) anchors
      assert.equal(c['output0']!.length, 2 * 7 * 168);
    }
  }
});
