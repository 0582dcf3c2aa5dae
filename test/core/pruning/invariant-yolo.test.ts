// The correctness invariant on real YOLOv8 graphs (train-form, our builder): every size at a small input
// with random pixels, every criterion on yolov8n, and yolov8n at 640 on real BCCD images. Kept cheap for a
// 2-core CI machine: one inference pair per case.

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { exportDeployForm } from '../../../core/export';
import type { Model } from '../../../core/onnx/model';
import { CRITERIA } from '../../../core/pruning/importance/criterion';
import { pruneModel, type PruneDeps } from '../../../core/pruning/prune-model';
import {
  archName,
  buildYolo,
  buildYoloV8,
  YOLO_SIZES,
  YOLOV8_SIZES,
  yolov8Spec,
  yoloSpec,
  type YoloV8Size,
} from '../../../core/yolo';
import { bccdRoot } from '../../../runtime/datasets';
import { onnxActivationRanks } from '../../../runtime/pruning/activations';
import { encodeLoadable } from '../../../runtime/pruning/loadable';
import { letterboxImage } from '../../../runtime/pruning/calibration-images';
import { checkInvariant, randomFeeds, type Feeds } from '../../support/pruning/invariant';

const STAGED = { stages: { backbone: 0.3, neck: 0.2, head: 0.1 }, criterion: 'l1' };
const BCCD = path.join(bccdRoot(), 'JPEGImages');

const cache = new Map<string, Model>();
function yolo(size: YoloV8Size, imgsz: number): Model {
  const key = `${size}@${imgsz}`;
  if (!cache.has(key))
    cache.set(key, buildYoloV8(yolov8Spec(size, { nc: 3, imgsz }), { batchNorm: 'random', seed: 3 }));
  return cache.get(key)!;
}

async function assertInvariant(
  model: Model,
  plan: object,
  feeds: Feeds,
  deps: PruneDeps = {},
): Promise<number> {
  const { model: pruned, applied, removedChannels } = await pruneModel(model, plan, deps);
  assert.ok(removedChannels > 0);
  const result = await checkInvariant(model, pruned, applied, feeds);
  assert.ok(result.compared.length >= 60, `compared ${result.compared.join(', ')}`);
  assert.ok(result.maxRelDiff <= 1e-4, `max relative difference ${result.maxRelDiff}`);
  return result.maxRelDiff;
}

for (const size of YOLOV8_SIZES) {
  test(`invariant: yolov8${size} staged 0.3/0.2/0.1 l1 at 64`, async (t) => {
    const model = yolo(size, 64);
    t.diagnostic(`max relative difference ${await assertInvariant(model, STAGED, randomFeeds(model, 64))}`);
    cache.delete(`${size}@64`);
  });
}

// YOLO11 (C3k2, C2PSA attention, DWConv class branch) and YOLOv5u (C3), every size; nothing frozen but the
// image, the head outputs and the decode path.
for (const family of ['yolo11', 'yolov5u'] as const) {
  for (const size of YOLO_SIZES) {
    test(`invariant: ${archName({ family, size })} staged 0.3/0.2/0.1 l1 at 64`, async (t) => {
      const model = buildYolo(yoloSpec(family, size, { nc: 3, imgsz: 64 }), { batchNorm: 'random', seed: 3 });
      t.diagnostic(`max relative difference ${await assertInvariant(model, STAGED, randomFeeds(model, 64))}`);
      const frozen = new Set((await pruneModel(model, STAGED)).frozen.map((f) => f.reason));
      assert.deepEqual([...frozen].sort(), ['decode-path', 'graph-input', 'graph-output', 'head-output']);
    });
  }
}

for (const criterion of CRITERIA) {
  test(`invariant: yolov8n global 0.3 ${criterion} at 96`, async (t) => {
    const model = yolo('n', 96);
    const feeds = randomFeeds(model, 96);
    const deps: PruneDeps = {
      activations: onnxActivationRanks(model, [{ dims: [1, 3, 96, 96], data: feeds['images']!.data }]),
      taylorScores: new Map(
        model.graph.nodes
          .filter((n) => n.opType === 'Conv')
          .map((n, i) => [
            n.name,
            Float64Array.from({ length: 1280 }, (_, c) => ((c * 7919 + i) % 101) / 101),
          ]),
      ),
    };
    t.diagnostic(
      `max relative difference ${await assertInvariant(model, { global_ratio: 0.3, criterion }, feeds, deps)}`,
    );
  });
}

test('invariant: yolov8n staged 0.3/0.2/0.1 l1 at 640 on two BCCD images', async (t) => {
  const model = yolo('n', 640);
  for (const file of ['BloodImage_00000.jpg', 'BloodImage_00001.jpg']) {
    const image = await letterboxImage(path.join(BCCD, file), 640);
    t.diagnostic(
      `${file}: max relative difference ${await assertInvariant(model, STAGED, { images: image })}`,
    );
  }
});

test('invariant: deploy-form yolov8s (BN folded by core/export) global 0.3 l1 at 64; bn-gamma refused', async (t) => {
  const { model } = exportDeployForm(yolo('s', 64));
  t.diagnostic(
    `max relative difference ${await assertInvariant(model, { global_ratio: 0.3 }, randomFeeds(model, 64))}`,
  );
  await assert.rejects(
    pruneModel(model, { global_ratio: 0.3, criterion: 'bn-gamma' }),
    /PRUNE_NEEDS_BN|BatchNormalization/,
  );
});

test('fp16 deploy-form yolov8n: pruned weights stay fp16 and onnxruntime loads the result', async (t) => {
  const { model } = exportDeployForm(yolo('n', 64), { fp16: true });
  const { model: pruned } = await pruneModel(model, { global_ratio: 0.3 });
  const weight = [...pruned.graph.initializers.values()].find((w) => w.dims.length === 4)!;
  assert.equal(
    weight.dataType,
    [...model.graph.initializers.values()].find((w) => w.dims.length === 4)!.dataType,
  );
  await encodeLoadable(pruned);
  t.diagnostic(`fp16 weights kept: data type ${weight.dataType}`);
});
