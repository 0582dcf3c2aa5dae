import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ort } from '../../../runtime/ort';
import { encodeModel } from '../../../core/onnx';
import { exportDeployForm } from '../../../core/export';
import { anchorCount, buildYoloV8, yolov8Spec, type YoloV8Size } from '../../../core/yolo';

async function runOnce(bytes: Uint8Array, imgsz: number): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(bytes);
  const input = new Float32Array(3 * imgsz * imgsz).map((_, i) => ((i * 7919) % 1000) / 1000);
  const out = await session.run({ images: new ort.Tensor('float32', input, [1, 3, imgsz, imgsz]) });
  await session.release();
  return out.output0!;
}

test('onnxruntime-node runs yolov8n (train-form) at 640: output [1, 84, 8400], finite boxes and scores in (0, 1)', async () => {
  const out = await runOnce(encodeModel(buildYoloV8(yolov8Spec('n'))), 640);
  assert.deepEqual(out.dims, [1, 84, 8400]);
  const data = out.data as Float32Array;
  assert.ok(data.every(Number.isFinite));
  const scores = data.subarray(4 * 8400);
  assert.ok(scores.every((v) => v > 0 && v < 1));
});

// The bigger sizes run at imgsz 128 (336 anchors): at 640 yolov8x alone takes seconds per run on 2 cores.
for (const size of ['s', 'm', 'l', 'x'] as YoloV8Size[]) {
  test(`onnxruntime-node runs yolov8${size} (train- and deploy-form) at 128`, async () => {
    const model = buildYoloV8(yolov8Spec(size, { nc: 80, imgsz: 128 }));
    for (const m of [model, exportDeployForm(model).model]) {
      const out = await runOnce(encodeModel(m), 128);
      assert.deepEqual(out.dims, [1, 84, anchorCount(128)]);
      assert.ok((out.data as Float32Array).every(Number.isFinite));
    }
  });
}
