// BN re-estimation: after it, every BatchNormalization's running mean and variance are the statistics of its
// input over the calibration images, with the layers before it already re-estimated (checked against the
// activations onnxruntime computes for the recalibrated model itself); a folded model has nothing to redo.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeModel, type Model } from '../../../core/onnx';
import { DataType } from '../../../core/onnx/data-type';
import { foldBatchNorm } from '../../../core/export/fold-batch-norm';
import { SearchRandom } from '../../../core/search/amc';
import { buildYoloV8, yolov8Spec } from '../../../core/yolo';
import { ort } from '../../../runtime/ort';
import { recalibrateBatchNorm } from '../../../runtime/search/bn-recalibration';

const model = buildYoloV8(yolov8Spec('n', { nc: 3, imgsz: 64 }), { seed: 0, batchNorm: 'random' });
const rng = SearchRandom.fromSeed(1, 0);
const images = Array.from({ length: 5 }, () => ({
  dims: [1, 3, 64, 64],
  data: Float32Array.from({ length: 3 * 64 * 64 }, () => rng.next()),
}));

/** Per-channel mean and (population) variance of `tensor` over the images, in `m`'s inference mode. */
async function inputStatistics(m: Model, tensor: string): Promise<{ mean: number[]; variance: number[] }> {
  const probe: Model = {
    ...m,
    graph: {
      ...m.graph,
      outputs: [...m.graph.outputs, { name: tensor, type: { kind: 'tensor', elemType: DataType.FLOAT } }],
    },
  };
  const session = await ort.InferenceSession.create(encodeModel(probe));
  const sum: number[] = [];
  const square: number[] = [];
  let count = 0;
  for (const im of images) {
    const out = (await session.run({ images: new ort.Tensor('float32', im.data, im.dims) }, [tensor]))[
      tensor
    ]!;
    const [, c, h, w] = out.dims as number[];
    const data = out.data as Float32Array;
    for (let k = 0; k < c!; k++)
      for (let i = 0; i < h! * w!; i++) {
        const v = data[k * h! * w! + i]!;
        sum[k] = (sum[k] ?? 0) + v;
        square[k] = (square[k] ?? 0) + v * v;
      }
    count += h! * w!;
  }
  await session.release();
  const mean = sum.map((s) => s / count);
  return { mean, variance: square.map((s, k) => s / count - mean[k]! ** 2) };
}

const bnNamed = (m: Model, conv: string) =>
  m.graph.nodes.find((n) => n.opType === 'BatchNormalization' && n.inputs[0] === conv)!;
const stat = (m: Model, name: string) => Array.from(m.graph.initializers.get(name)!.data as Float32Array);

test('recalibrated BN statistics are the statistics of each BN input over the images (first and deep layers)', async () => {
  const { model: recal, layers } = await recalibrateBatchNorm(model, images, { batch: 5 });
  assert.equal(layers, model.graph.nodes.filter((n) => n.opType === 'BatchNormalization').length);
  const convOut = (name: string) => model.graph.nodes.find((n) => n.name === name)!.outputs[0]!;
  // The first BN (nothing before it changes) and one deep in the backbone, whose input depends on every
  // earlier BN: with a whole-batch pass the statistics hold under the recalibrated model's own inference.
  for (const conv of ['/model.0/conv/Conv', '/model.8/cv2/conv/Conv']) {
    const bn = bnNamed(recal, convOut(conv));
    const expected = await inputStatistics(recal, convOut(conv));
    const mean = stat(recal, bn.inputs[3]!);
    const variance = stat(recal, bn.inputs[4]!);
    for (let k = 0; k < mean.length; k++) {
      assert.ok(
        Math.abs(mean[k]! - expected.mean[k]!) <= 1e-4 * (1 + Math.abs(expected.mean[k]!)),
        `${conv} mean[${k}]`,
      );
      assert.ok(
        Math.abs(variance[k]! - expected.variance[k]!) <= 1e-3 * (1 + expected.variance[k]!),
        `${conv} var[${k}]`,
      );
    }
    // ... and they moved: the model's random statistics were not those of these images.
    const before = stat(model, bnNamed(model, convOut(conv)).inputs[3]!);
    assert.ok(before.some((v, k) => Math.abs(v - mean[k]!) > 1e-2));
  }
});

test('a model without BN initializers (BN folded) comes back unchanged', async () => {
  const folded = foldBatchNorm(model).model;
  const r = await recalibrateBatchNorm(folded, images);
  assert.equal(r.layers, 0);
  assert.equal(r.model, folded);
});
