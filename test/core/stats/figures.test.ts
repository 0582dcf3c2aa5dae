// The published ultralytics figures (DESIGN §3, issue 3), reproduced from the architecture alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportDeployForm } from '../../../core/export';
import { computeStats } from '../../../core/stats';
import { buildYoloV8, yolov8Spec, type YoloV8Size } from '../../../core/yolo';

const within = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= tolerance * expected,
    `${what}: ${actual} vs ${expected} (±${tolerance * 100}%)`,
  );

test('yolov8n nc=80 train-form: 3,157,200 parameters, per module and per stage exactly; 8.8575 GFLOPs ±0.5%', () => {
  const s = computeStats(buildYoloV8(yolov8Spec('n')));
  assert.equal(s.params, 3_157_200);
  assert.deepEqual(
    s.modules.map((m) => m.params),
    [
      464, 4672, 7360, 18560, 49664, 73984, 197632, 295424, 460288, 164608, 0, 0, 148224, 0, 0, 37248, 36992,
      0, 123648, 147712, 0, 493056, 897664,
    ],
  );
  assert.deepEqual(
    [s.stages.backbone.params, s.stages.neck.params, s.stages.head.params],
    [1_272_656, 986_880, 897_664],
  );
  within(s.flops, 8.8575e9, 0.005, 'GFLOPs');
  // Exactly what ultralytics 8.4 computes for this model (its model.info() returns 8.8550912).
  assert.equal(s.flops, 8_855_091_200);
  assert.equal(s.stages.backbone.flops + s.stages.neck.flops + s.stages.head.flops, s.flops);
  assert.deepEqual(s.unattributed, { params: 0, flops: 0 });
  assert.deepEqual(s.inputShape, [1, 3, 640, 640]);
});

test('yolov8n nc=3: 3,011,433 parameters, head 751,897', () => {
  const s = computeStats(buildYoloV8(yolov8Spec('n', { nc: 3 })));
  assert.equal(s.params, 3_011_433);
  assert.equal(s.stages.head.params, 751_897);
});

test('yolov8n deploy-form (BN folded): 3,151,904 parameters, 8.744 GFLOPs', () => {
  const s = computeStats(exportDeployForm(buildYoloV8(yolov8Spec('n'))).model);
  assert.equal(s.params, 3_151_904);
  within(s.flops, 8.744e9, 0.005, 'GFLOPs');
});

test('yolov8s deploy-form: 11,156,544 parameters, 28.6 GFLOPs ±0.5%', () => {
  const s = computeStats(exportDeployForm(buildYoloV8(yolov8Spec('s'))).model);
  assert.equal(s.params, 11_156_544);
  within(s.flops, 28.6e9, 0.005, 'GFLOPs');
});

const table: [YoloV8Size, number, number][] = [
  ['m', 25.9e6, 78.9e9],
  ['l', 43.7e6, 165.2e9],
  ['x', 68.2e6, 257.8e9],
];
for (const [size, params, flops] of table) {
  test(`yolov8${size} deploy-form: ${params / 1e6}M parameters, ${flops / 1e9} GFLOPs (±0.5%)`, () => {
    const s = computeStats(exportDeployForm(buildYoloV8(yolov8Spec(size))).model);
    within(s.params, params, 0.005, 'params');
    within(s.flops, flops, 0.005, 'GFLOPs');
  });
}
