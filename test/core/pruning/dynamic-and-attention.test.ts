// Two graph shapes the per-op rules alone used to freeze: Shape ops of dynamic exports (Detect and attention
// read batch, height and width of their inputs) and YOLO11's attention (views, a split along axis 2, MatMuls).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportDeployForm } from '../../../core/export';
import type { Model } from '../../../core/onnx/model';
import { buildChannelGraph } from '../../../core/pruning/dependency/channel-graph';
import { buildGroups } from '../../../core/pruning/groups';
import { pruneModel } from '../../../core/pruning/prune-model';
import { buildYolo, yoloSpec, type YoloFamily } from '../../../core/yolo';
import { checkInvariant, randomFeeds } from '../../support/pruning/invariant';
import { runModel } from '../../support/pruning/run-onnx';
import { TinyGraph } from '../../support/pruning/tiny-graph';

const STAGED = { stages: { backbone: 0.3, neck: 0.2, head: 0.1 } };

test('a Shape whose channel entry is read freezes the channels; one read for H and W does not', () => {
  const g = new TinyGraph(5);
  const x = g.input(6);
  const a = g.cbs(x, 16);
  const b = g.cbs(x, 16);
  const [sa] = g.node('Shape', [a], [[4]]);
  g.node('Gather', [sa!, g.int64([2, 3])], [[2]], { axis: { type: 'int', value: 0 } });
  const [sb] = g.node('Shape', [b], [[4]]);
  g.node('Gather', [sb!, g.int64([-3])], [[1]], { axis: { type: 'int', value: 0 } });
  g.output(g.conv(g.concat([a, b]), 4));
  const model = g.build();
  const gs = buildGroups(buildChannelGraph(model));
  const producerConv = (t: string) => {
    let n = model.graph.nodes.find((m) => m.outputs.includes(t))!;
    while (n.opType !== 'Conv') n = model.graph.nodes.find((m) => m.outputs.includes(n.inputs[0]!))!;
    return gs.byId.get(n.name)!;
  };
  assert.ok(
    producerConv(a).frozen.every((r) => r === undefined),
    'H and W only: prunable',
  );
  const frozenB = producerConv(b).frozen;
  assert.ok(frozenB.every((r) => r?.kind === 'unsupported-op-form'));
  assert.match(frozenB[0]!.detail, /channel count is read through Shape by Gather/);
});

function build(family: YoloFamily, dynamic: boolean, imgsz = 96): Model {
  return buildYolo(yoloSpec(family, 'n', { nc: 3, imgsz }), { batchNorm: 'random', seed: 4, dynamic });
}

for (const family of ['yolov8', 'yolo11'] as const) {
  test(`${family}n exported with dynamic axes prunes exactly like the static export; the axes survive`, async (t) => {
    const [fixed, dynamic] = [build(family, false), build(family, true)];
    const [a, b] = [await pruneModel(fixed, STAGED), await pruneModel(dynamic, STAGED)];
    assert.equal(b.removedChannels, a.removedChannels);
    assert.deepEqual(b.applied.channels, a.applied.channels);
    const frozenChannels = (r: typeof a) => r.frozen.reduce((n, f) => n + f.channels, 0);
    assert.ok(
      frozenChannels(b) - frozenChannels(a) <= 8,
      `dynamic export freezes ${frozenChannels(b)} channels, static ${frozenChannels(a)}`,
    );
    const result = await checkInvariant(dynamic, b.model, b.applied, randomFeeds(dynamic, 96));
    assert.ok(result.maxRelDiff <= 1e-4, `max relative difference ${result.maxRelDiff}`);
    t.diagnostic(`removed ${b.removedChannels} channels; invariant ${result.maxRelDiff}`);
    const input = b.model.graph.inputs[0]!.type;
    assert.deepEqual(input?.kind === 'tensor' ? input.shape : undefined, ['batch', 3, 'height', 'width']);
    const two = await runModel(b.model, {
      images: { dims: [2, 3, 64, 128], data: new Float32Array(2 * 3 * 64 * 128).fill(0.3) },
    });
    assert.equal(two['output0']!.length, 2 * 7 * (8 * 16 + 4 * 8 + 2 * 4));
  });
}

test('attention: key and value widths shrink evenly in every head, the views and split follow, the scale stays', async () => {
  for (const form of ['train', 'deploy'] as const) {
    const train = buildYolo(yoloSpec('yolo11', 's', { nc: 3, imgsz: 64 }), { batchNorm: 'random', seed: 9 });
    const model = form === 'train' ? train : exportDeployForm(train).model;
    const qkv = '/model.10/m/m.0/attn/qkv/conv/Conv';
    const { model: pruned, applied } = await pruneModel(model, { groups: { [qkv]: 0.5 } });
    const node = (name: string) => pruned.graph.nodes.find((n) => n.name === name)!;
    const ints = (m: Model, name: string) => {
      const t = m.graph.initializers.get(name);
      if (t) return Array.from(t.data as BigInt64Array, Number);
      const c = m.graph.nodes.find((n) => n.outputs[0] === name)!.attributes['value']!;
      return c.type === 'tensor' ? Array.from(c.value.data as BigInt64Array, Number) : [];
    };
    // yolo11s C2PSA: dim 256, 4 heads, key dim 32, head dim 64 → 16 and 32 per head.
    const split = node('/model.10/m/m.0/attn/Split');
    assert.deepEqual(ints(pruned, split.inputs[1]!), [16, 16, 32], form);
    assert.deepEqual(ints(pruned, node('/model.10/m/m.0/attn/Reshape').inputs[1]!), [1, 4, 64, 4]);
    assert.deepEqual(ints(pruned, node('/model.10/m/m.0/attn/Reshape_1').inputs[1]!), [1, 128, 2, 2]);
    assert.deepEqual(ints(pruned, node('/model.10/m/m.0/attn/Reshape_2').inputs[1]!), [1, 128, 2, 2]);
    assert.deepEqual(pruned.graph.initializers.get(node(qkv).inputs[1]!)!.dims, [256, 256, 1, 1]);
    const scale = node('/model.10/m/m.0/attn/Mul').inputs[1]!;
    const scaleNode = pruned.graph.nodes.find((n) => n.outputs[0] === scale)!.attributes['value']!;
    assert.ok(scaleNode.type === 'tensor');
    assert.ok(Math.abs((scaleNode.value.data as Float32Array)[0]! - 32 ** -0.5) < 1e-7);
    const result = await checkInvariant(model, pruned, applied, randomFeeds(model, 64));
    assert.ok(result.maxRelDiff <= 1e-4, `${form}: max relative difference ${result.maxRelDiff}`);
  }
});

test('attention channels score with every criterion that reads weights, NISP included', async () => {
  const model = build('yolo11', false, 64);
  for (const criterion of ['l1', 'nisp', 'fpgm', 'bn-gamma']) {
    const { model: pruned, applied } = await pruneModel(model, { global_ratio: 0.3, criterion });
    const w = pruned.graph.initializers.get('model.10.m.0.attn.qkv.conv.weight')!;
    assert.ok(w.dims[0]! < 256, `${criterion}: qkv kept ${w.dims[0]} of 256`);
    const result = await checkInvariant(model, pruned, applied, randomFeeds(model, 64));
    assert.ok(result.maxRelDiff <= 1e-4, `${criterion}: max relative difference ${result.maxRelDiff}`);
  }
});
