import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PruneError } from '../../../core/pruning/errors';
import { parsePlan, parseStages } from '../../../core/pruning/plan/parse-plan';
import { removalCount } from '../../../core/pruning/plan/select-channels';
import { reachableWidths } from '../../../core/pruning/plan/reachable-widths';
import { buildChannelGraph } from '../../../core/pruning/dependency/channel-graph';
import { buildGroups } from '../../../core/pruning/groups';
import { pruneModel } from '../../../core/pruning/prune-model';
import { computeStats } from '../../../core/stats';
import { buildYolo, buildYoloV8, yolov8Spec, yoloSpec } from '../../../core/yolo';
import { randomFeeds } from '../../support/pruning/invariant';
import { runModel } from '../../support/pruning/run-onnx';
import { TinyGraph } from '../../support/pruning/tiny-graph';

const code = (c: string) => (e: unknown) => e instanceof PruneError && e.code === c;

test('ratios outside [0, 1) and unknown stages are typed errors', () => {
  for (const r of [1, -0.1, 1.5, NaN])
    assert.throws(
      () => parsePlan({ global_ratio: r }),
      code(r === r ? 'PRUNE_RATIO_INVALID' : 'PRUNE_PLAN_INVALID'),
    );
  assert.throws(() => parsePlan({ modules: { 'model.6': 1 } }), code('PRUNE_RATIO_INVALID'));
  assert.throws(() => parseStages('backbone=0.3,body=0.2'), code('PRUNE_UNIT_UNKNOWN'));
  assert.throws(() => parseStages('neck=abc'), code('PRUNE_RATIO_INVALID'));
  assert.throws(() => parsePlan({ global_ratio: 0.2, extra: 1 }), code('PRUNE_PLAN_INVALID'));
  assert.deepEqual(parsePlan({}).round_to, 8);
});

test('removal count keeps a multiple of round_to, at least min channels, never frozen ones', () => {
  assert.equal(removalCount(64, 64, 0.3, 8, 8), 16); // keep 44.8 → 48
  assert.equal(removalCount(64, 64, 0.3, 1, 8), 19);
  assert.equal(removalCount(16, 16, 0.9, 8, 8), 8);
  assert.equal(removalCount(4, 4, 0.5, 8, 8), 0);
  assert.equal(removalCount(64, 10, 0.5, 8, 8), 10);
  assert.equal(removalCount(64, 64, 0, 8, 8), 0);
});

function splitModel() {
  const g = new TinyGraph(3);
  const x = g.input(4);
  const a = g.conv(x, 32, { name: 'a' });
  const [p, q] = g.split(a, [8, 24]);
  g.output(
    g.conv(g.concat([g.conv(p!, 8, { name: 'p' }), g.conv(q!, 8, { name: 'q' })]), 2, { name: 'head' }),
  );
  return g.build();
}

test('a split segment keeps min(min_channels, its size) even when scores say otherwise', async () => {
  const model = splitModel();
  // Channels 0..7 (segment p) get the lowest scores through explicit zeroing of a's first filters.
  const w = model.graph.initializers.get('a.weight')!.data as Float32Array;
  w.fill(0, 0, 8 * 4);
  const { applied } = await pruneModel(model, {
    groups: { a: 0.6 },
    round_to: 1,
    min_channels: 4,
    segment_mode: 'whole-group',
  });
  const removed = applied.channels!['a']!;
  assert.equal(removed.length, 19);
  assert.equal(removed.filter((i) => i < 8).length, 4);
});

test('bn-gamma on a model without BatchNormalization is PRUNE_NEEDS_BN; explicit frozen channels are refused', async () => {
  await assert.rejects(
    pruneModel(splitModel(), { global_ratio: 0.3, criterion: 'bn-gamma' }),
    code('PRUNE_NEEDS_BN'),
  );
  await assert.rejects(pruneModel(splitModel(), { channels: { head: [0] } }), code('PRUNE_UNIT_FROZEN'));
  await assert.rejects(pruneModel(splitModel(), { channels: { a: [40] } }), code('PRUNE_PLAN_INVALID'));
  await assert.rejects(pruneModel(splitModel(), { modules: { 'model.3': 0.2 } }), code('PRUNE_UNIT_UNKNOWN'));
});

test('the input model is not modified and replaying the applied plan gives the same channels', async () => {
  const model = splitModel();
  const before = Float32Array.from(model.graph.initializers.get('a.weight')!.data as Float32Array);
  const first = await pruneModel(model, {
    global_ratio: 0.5,
    round_to: 1,
    min_channels: 1,
    criterion: 'random',
    seed: 4,
  });
  assert.deepEqual(model.graph.initializers.get('a.weight')!.data, before);
  assert.equal(model.graph.initializers.get('a.weight')!.dims[0], 32);
  const replay = await pruneModel(model, first.applied);
  assert.deepEqual(replay.applied.channels, first.applied.channels);
  assert.deepEqual([...replay.model.graph.initializers.keys()], [...first.model.graph.initializers.keys()]);
});

test('block granularity: dropping C2f bottlenecks removes their nodes and the concat slot, and the model runs', async () => {
  const model = buildYoloV8(yolov8Spec('s', { nc: 3, imgsz: 64 }));
  const { model: pruned, applied } = await pruneModel(model, {
    blocks: ['model.4.m.1', 'model.6.m.0'],
    global_ratio: 0.2,
  });
  assert.deepEqual(applied.blocks, ['model.4.m.1', 'model.6.m.0']);
  assert.equal(
    pruned.graph.nodes.some((n) => n.name.startsWith('/model.4/m.1/') || n.name.startsWith('/model.6/m.0/')),
    false,
  );
  assert.equal(pruned.graph.nodes.find((n) => n.name === '/model.4/Concat')!.inputs.length, 3);
  const before = computeStats(model).modules[4]!.params;
  assert.ok(computeStats(pruned).modules[4]!.params < before);
  const out = await runModel(pruned, randomFeeds(model, 64));
  assert.equal(out['output0']!.length, (4 + 3) * (64 + 16 + 4)); // decoded boxes + class scores per anchor
  await assert.rejects(pruneModel(model, { blocks: ['model.4.m.7'] }), code('PRUNE_UNIT_UNKNOWN'));
  await assert.rejects(pruneModel(model, { blocks: ['model.9'] }), code('PRUNE_UNIT_UNKNOWN'));
});

test('layer granularity in YOLO11 and YOLOv5u: C3k2 blocks, C3k and C3 bottlenecks, PSA blocks; chains keep their concat slot', async () => {
  const cases = [
    ['yolo11', ['model.2.m.0', 'model.6.m.0.m.1', 'model.10.m.0', 'model.22.m.0']],
    ['yolov5u', ['model.2.m.0', 'model.4.m.1', 'model.13.m.0']],
  ] as const;
  for (const [family, blocks] of cases) {
    const model = buildYolo(yoloSpec(family, 'n', { nc: 3, imgsz: 64 }));
    const { model: pruned } = await pruneModel(model, { blocks: [...blocks], global_ratio: 0.2 });
    const gone = (prefix: string) => !pruned.graph.nodes.some((n) => n.name.startsWith(prefix));
    if (family === 'yolo11') {
      assert.ok(gone('/model.2/m.0/') && gone('/model.6/m.0/m/m.1/') && gone('/model.10/m/m.0/'));
      // C3k2 (C2f-style) loses the block's concat slot; C2PSA (a chain) keeps [a, b].
      assert.equal(pruned.graph.nodes.find((n) => n.name === '/model.2/Concat')!.inputs.length, 2);
      assert.equal(pruned.graph.nodes.find((n) => n.name === '/model.10/Concat')!.inputs.length, 2);
    } else {
      assert.ok(gone('/model.2/m/m.0/') && gone('/model.4/m/m.1/'));
      assert.ok(pruned.graph.nodes.some((n) => n.name.startsWith('/model.4/m/m.0/')));
    }
    assert.ok(computeStats(pruned).params < computeStats(model).params);
    const out = await runModel(pruned, randomFeeds(model, 64));
    assert.equal(out['output0']!.length, (4 + 3) * (64 + 16 + 4), family);
  }
  const v11 = buildYolo(yoloSpec('yolo11', 'n', { nc: 3, imgsz: 64 }));
  await assert.rejects(pruneModel(v11, { blocks: ['model.10.m.3'] }), code('PRUNE_UNIT_UNKNOWN'));
});

test('module granularity: module_hidden shrinks only groups that never leave the module', async () => {
  const model = buildYoloV8(yolov8Spec('n', { nc: 3, imgsz: 64 }));
  const { applied } = await pruneModel(model, {
    module_hidden: { 'model.2': 0.5, 'model.9': 0.5, 'model.22': 0.5 },
    round_to: 1,
  });
  assert.deepEqual(Object.keys(applied.channels!).sort(), [
    '/model.2/cv1/conv/Conv',
    '/model.2/m.0/cv1/conv/Conv',
    '/model.22/cv2.0/cv2.0.0/conv/Conv',
    '/model.22/cv2.0/cv2.0.1/conv/Conv',
    '/model.22/cv2.1/cv2.1.0/conv/Conv',
    '/model.22/cv2.1/cv2.1.1/conv/Conv',
    '/model.22/cv2.2/cv2.2.0/conv/Conv',
    '/model.22/cv2.2/cv2.2.1/conv/Conv',
    '/model.22/cv3.0/cv3.0.0/conv/Conv',
    '/model.22/cv3.0/cv3.0.1/conv/Conv',
    '/model.22/cv3.1/cv3.1.0/conv/Conv',
    '/model.22/cv3.1/cv3.1.1/conv/Conv',
    '/model.22/cv3.2/cv3.2.0/conv/Conv',
    '/model.22/cv3.2/cv3.2.1/conv/Conv',
    '/model.9/cv1/conv/Conv',
  ]);
});

test('per-segment mode cuts each split part by the ratio with its own rounding', async () => {
  const { applied } = await pruneModel(splitModel(), { groups: { a: 0.5 }, round_to: 4, min_channels: 4 });
  const removed = applied.channels!['a']!;
  assert.equal(removed.filter((i) => i < 8).length, 4);
  assert.equal(removed.filter((i) => i >= 8).length, 12);
});

test('reachable widths: each is exactly what pruneModel cuts at its ratio; widths no ratio reaches are left out', async () => {
  const model = buildYoloV8({ ...yolov8Spec('n', { nc: 3, imgsz: 64 }), widthMultiple: 0.25 }, { seed: 0 });
  const gs = buildGroups(buildChannelGraph(model));
  const reachable = reachableWidths(gs, 8, 8);
  assert.ok(reachable.size > 10);
  const unreachable: string[] = [];
  for (const [unit, list] of reachable) {
    for (const { width, ratio } of list) {
      const { model: pruned } = await pruneModel(model, {
        groups: { [unit]: ratio },
        round_to: 8,
        min_channels: 8,
      });
      const kept = buildGroups(buildChannelGraph(pruned)).byId.get(unit)?.components.length;
      assert.equal(kept, width, `${unit} at ratio ${ratio}`);
    }
    const full = gs.byId.get(unit)!.components.length;
    for (let w = full - 8; w >= list.at(-1)!.width; w -= 8)
      if (!list.some((r) => r.width === w)) unreachable.push(`${unit}:${w}`);
  }
  // A C2f cv1 group is two chunk halves, each rounded on its own: 32 channels in halves of 16 cannot keep 24.
  assert.ok(
    unreachable.some((u) => /\/model\.2\/cv1\/conv\/Conv:24$/.test(u)),
    unreachable.join(' '),
  );
});

test('a plan file with a key from before the keys matched the granularities is refused, naming the new key', () => {
  for (const [old, now] of [
    ['layers', 'groups'],
    ['drop_bottlenecks', 'blocks'],
  ] as const) {
    assert.throws(
      () => parsePlan({ [old]: old === 'layers' ? { a: 0.5 } : ['model.2.m.0'] }),
      (e: unknown) =>
        e instanceof PruneError && e.code === 'PRUNE_PLAN_INVALID' && e.message.includes(`'${now}'`),
    );
  }
});
