// Like for like (issue 27, item 3): `computeStats(model, { form: 'deploy' })` counts a train-form model exactly
// as its deploy-form export, so a before/after pair in two forms (the train-form original against the
// deploy-form delivered model) reads the cut of the model that ships, and pruning nothing reads 0%.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportDeployForm, foldBatchNorm } from '../../../core/export';
import type { Model } from '../../../core/onnx';
import { pruneModel } from '../../../core/pruning/prune-model';
import { computeStats, type ModelStats } from '../../../core/stats';
import { buildYolo, buildYoloV8, yolov8Spec, yoloSpec } from '../../../core/yolo';

const costs = (s: ModelStats) => ({
  params: s.params,
  flops: s.flops,
  stages: s.stages,
  modules: s.modules,
  unattributed: s.unattributed,
});

test('deploy form of a train-form model = the stats of its export, in total, per stage and per module', () => {
  for (const model of [
    buildYoloV8(yolov8Spec('n')),
    buildYoloV8(yolov8Spec('n', { nc: 3, imgsz: 416 })),
    buildYolo(yoloSpec('yolo11', 'n', { imgsz: 320 })),
  ]) {
    const asGiven = computeStats(model);
    const deploy = computeStats(model, { form: 'deploy' });
    const exported = computeStats(exportDeployForm(model).model);
    assert.deepEqual(costs(deploy), costs(exported));
    assert.equal(deploy.form, 'deploy');
    assert.equal(asGiven.form, 'as-given');
    assert.ok(deploy.foldedBatchNorms > 50);
    assert.ok(asGiven.flops > deploy.flops && asGiven.params > deploy.params);
  }
  // The published fused yolov8n figure (DESIGN §3), without exporting.
  assert.equal(computeStats(buildYoloV8(yolov8Spec('n')), { form: 'deploy' }).params, 3_151_904);
});

test('a deploy-form model counts the same in either form', () => {
  const deployed = exportDeployForm(buildYoloV8(yolov8Spec('n', { imgsz: 128 }))).model;
  const deploy = computeStats(deployed, { form: 'deploy' });
  assert.deepEqual(costs(deploy), costs(computeStats(deployed)));
  assert.equal(deploy.foldedBatchNorms, 0);
});

test('a BatchNormalization the fold keeps is still counted in the deploy form (one rule for both)', () => {
  const train = buildYoloV8(yolov8Spec('n', { imgsz: 64 }));
  const peeked: Model = {
    ...train,
    graph: {
      ...train.graph,
      nodes: [
        ...train.graph.nodes,
        {
          name: 'peek',
          opType: 'Identity',
          domain: '',
          inputs: ['/model.0/conv/Conv_output_0'],
          outputs: ['peek_out'],
          attributes: {},
        },
      ],
    },
  };
  const deploy = computeStats(peeked, { form: 'deploy' });
  assert.equal(deploy.foldedBatchNorms, 56);
  assert.deepEqual(costs(deploy), costs(computeStats(foldBatchNorm(peeked).model)));
  assert.ok(deploy.modules[0]!.flops > computeStats(train, { form: 'deploy' }).modules[0]!.flops);
});

test('pruning nothing reads a 0% cut of FLOPs and parameters, against the pruned model and its export', async () => {
  const train = buildYoloV8(yolov8Spec('n', { nc: 3, imgsz: 128 }));
  const { model: pruned, removedChannels } = await pruneModel(train, { global_ratio: 0 });
  assert.equal(removedChannels, 0);
  const shipped = exportDeployForm(pruned).model;
  const cut = (before: ModelStats, after: ModelStats) => ({
    flops: 1 - after.flops / before.flops,
    params: 1 - after.params / before.params,
  });
  const before = computeStats(train, { form: 'deploy' });
  assert.deepEqual(cut(before, computeStats(pruned, { form: 'deploy' })), { flops: 0, params: 0 });
  assert.deepEqual(cut(before, computeStats(shipped, { form: 'deploy' })), { flops: 0, params: 0 });
  // What mixing the forms read (the train-form original against the deploy-form export): a cut that is not there.
  const mixed = cut(computeStats(train), computeStats(shipped));
  assert.ok(mixed.flops > 0.005 && mixed.params > 0.001, JSON.stringify(mixed));
});
