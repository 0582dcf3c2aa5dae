// The independent pruning oracle (test/support/pruning/dead-channels.ts): chosen channels are made dead in
// the original model by hand, exactly those channels are pruned with an explicit plan, and the pruned model
// must compute what the dead-channel model computes. Which convs share a channel is written here from YOLO's
// structure (ultralytics' modules), not read from the engine, so an error the engine makes consistently in
// its graph and in its own invariant reference still fails here. The last tests break a coupling rule on
// purpose and require the oracle to notice.

import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { exportDeployForm } from '../../../core/export';
import { intAttr } from '../../../core/onnx/attributes';
import type { Model } from '../../../core/onnx/model';
import { createDefaultRegistry } from '../../../core/pruning/dependency/default-registry';
import { OpRegistry } from '../../../core/pruning/dependency/op-registry';
import type { CouplingContext, OpRule } from '../../../core/pruning/dependency/op-rule';
import { pruneModel, type PruneDeps } from '../../../core/pruning/prune-model';
import { buildYolo, yoloSpec, type YoloFamily } from '../../../core/yolo';
import {
  compareWithDeadChannels,
  convInChannels,
  convOutChannels,
  killChannels,
  type Kills,
  type OracleComparison,
} from '../../support/pruning/dead-channels';
import { randomFeeds } from '../../support/pruning/invariant';

const IMGSZ = 64;
const TOLERANCE = 1e-5;

/** One pruning unit as the test knows it by hand: the plan's group and channels, and the convs to kill. */
interface Unit {
  readonly group: string;
  readonly channels: readonly number[];
  readonly kills: Kills;
}

const hasNode = (model: Model, name: string) => model.graph.nodes.some((n) => n.name === name);

/** A plain conv group: channel i of the group is output channel i of its root conv. */
function plain(model: Model, conv: string, pick: (c: number) => number[]): Unit {
  const channels = pick(convOutChannels(model, conv));
  return { group: conv, channels, kills: { [conv]: channels } };
}

/**
 * A 1×1 conv read by a depthwise conv (YOLO11's class branch: DWConv → Conv → DWConv → Conv): the depthwise
 * conv's output c is computed from its input c alone, so both convs carry the channel; the depthwise conv's
 * BN shift would otherwise make the dead channel live again.
 */
function depthwiseFollowed(model: Model, conv: string, depthwise: string, channels: number[]): Unit {
  assert.equal(convInChannels(model, depthwise), 1, `${depthwise} is depthwise`);
  assert.equal(convOutChannels(model, depthwise), convOutChannels(model, conv));
  return { group: conv, channels, kills: { [conv]: channels, [depthwise]: channels } };
}

/** `${prefix}.J${suffix}` for J = 0, 1, ... as long as such a node exists (a module's repeated blocks). */
function repeated(model: Model, prefix: string, suffix: string): string[] {
  const out: string[] = [];
  for (let j = 0; hasNode(model, `${prefix}${j}${suffix}`); j++) out.push(`${prefix}${j}${suffix}`);
  return out;
}

/**
 * A residual split block (C2f / C3k2 with shortcut, C2PSA): cv1's output is chunked into halves a and b; every
 * block j in m does b = b + f_j(b), so channel i of the second half is one channel with output i of the last
 * conv of every f_j (`adders`). Group channel i is cv1's output channel i.
 */
function residualSplit(
  model: Model,
  cv1: string,
  adders: readonly string[],
  pick: (c: number) => number[],
): Unit {
  assert.ok(adders.length > 0, `${cv1}: no residual blocks found`);
  const width = convOutChannels(model, cv1);
  const half = width / 2;
  const channels = pick(width);
  const kills: Record<string, number[]> = { [cv1]: channels };
  const inSecondHalf = channels.filter((i) => i >= half).map((i) => i - half);
  for (const conv of adders) {
    assert.equal(convOutChannels(model, conv), half, `${conv} adds into the second half of ${cv1}`);
    kills[conv] = inSecondHalf;
  }
  return { group: cv1, channels, kills };
}

/** ultralytics' C2f with shortcut (YOLOv8 backbone, YOLO11's C3k2 with plain bottlenecks). */
function c2fResidual(model: Model, module: number, pick: (c: number) => number[]): Unit {
  const adders = repeated(model, `/model.${module}/m.`, '/cv2/conv/Conv');
  return residualSplit(model, `/model.${module}/cv1/conv/Conv`, adders, pick);
}

/** YOLO11's C3k (inside C3k2): cv1 feeds a chain of bottlenecks m.J, each adding its cv2 output to its input. */
function c3kResidual(model: Model, module: number, pick: (c: number) => number[]): Unit {
  const cv1 = `/model.${module}/m.0/cv1/conv/Conv`;
  const adders = repeated(model, `/model.${module}/m.0/m/m.`, '/cv2/conv/Conv');
  assert.ok(adders.length > 0);
  const channels = pick(convOutChannels(model, cv1));
  return { group: cv1, channels, kills: Object.fromEntries([cv1, ...adders].map((c) => [c, channels])) };
}

/**
 * YOLO11's attention (ultralytics `Attention` in the PSA block): qkv is [heads × (q kd, k kd, v hd)] with
 * hd = dim / heads, heads = dim // 64, kd = hd / 2. A key dim d is q_h[d] and k_h[d] of every head h; a value
 * dim d is v_h[d] of every head plus channel h·hd + d of the depthwise positional conv, whose output is added
 * to the attention's. Group channel j < kd is key dim j; kd + d is value dim d.
 */
function attention(model: Model, block: string, keyDims: number[], valueDims: number[]): Unit {
  const qkv = `${block}/attn/qkv/conv/Conv`;
  const pe = `${block}/attn/pe/conv/Conv`;
  const dim = convInChannels(model, qkv);
  const heads = Math.max(Math.floor(dim / 64), 1);
  const hd = dim / heads;
  const kd = Math.floor(hd * 0.5);
  const perHead = 2 * kd + hd;
  assert.equal(convOutChannels(model, qkv), heads * perHead, 'qkv width');
  assert.equal(convOutChannels(model, pe), dim, 'positional conv width');
  const qkvKills: number[] = [];
  const peKills: number[] = [];
  for (let h = 0; h < heads; h++) {
    for (const d of keyDims) qkvKills.push(h * perHead + d, h * perHead + kd + d);
    for (const d of valueDims) {
      qkvKills.push(h * perHead + 2 * kd + d);
      peKills.push(h * hd + d);
    }
  }
  return {
    group: qkv,
    channels: [...keyDims, ...valueDims.map((d) => kd + d)],
    kills: { [qkv]: qkvKills.sort((a, b) => a - b), [pe]: peKills.sort((a, b) => a - b) },
  };
}

/** Units every YOLOv8 gets: plain convs, residual C2fs, SPPF, the concatenated neck, a Detect branch. */
function yolov8Units(model: Model): Unit[] {
  return [
    plain(model, '/model.0/conv/Conv', () => [1, 6]),
    plain(model, '/model.3/conv/Conv', (c) => [0, c / 2 + 1, c - 1]),
    c2fResidual(model, 2, (c) => [2, c / 2 + 3]), // one bottleneck
    c2fResidual(model, 4, (c) => [c / 2 - 1, c / 2, c - 2]), // two bottlenecks
    c2fResidual(model, 6, (c) => [5, c / 2 + 7]),
    c2fResidual(model, 8, (c) => [c / 2 + 1]),
    plain(model, '/model.9/cv1/conv/Conv', () => [5]), // SPPF: max-pooled three times, concatenated four times
    plain(model, '/model.9/cv2/conv/Conv', (c) => [3, c - 5]), // upsampled into concat 11, and concat 20
    plain(model, '/model.6/cv2/conv/Conv', (c) => [c - 1]), // second input of concat 11
    plain(model, '/model.12/cv1/conv/Conv', (c) => [0, c / 2 + 1]), // a neck C2f: no shortcut, cv1 alone
    plain(model, '/model.12/m.0/cv1/conv/Conv', () => [4]),
    plain(model, '/model.15/cv2/conv/Conv', () => [3]), // P3: read by Detect and model.16
    plain(model, '/model.22/cv3.0/cv3.0.0/conv/Conv', () => [2, 7]),
    plain(model, '/model.22/cv2.2/cv2.2.1/conv/Conv', () => [0]),
  ];
}

function yolo11Units(model: Model): Unit[] {
  const psa = repeated(model, '/model.10/m/m.', '/attn/proj/conv/Conv').map((p) =>
    p.replace('/attn/proj/conv/Conv', ''),
  );
  return [
    plain(model, '/model.1/conv/Conv', () => [3]),
    c2fResidual(model, 2, (c) => [1, c / 2 + 2]), // C3k2 with a plain bottleneck
    c3kResidual(model, 6, (c) => [0, c - 3]), // C3k2 with a C3k: a chain of two residual bottlenecks
    attention(model, '/model.10/m/m.0', [1, 5], [3, 10]),
    // C2PSA: the second half goes through every PSA block, b = b + attn(b); b = b + ffn(b)
    residualSplit(
      model,
      '/model.10/cv1/conv/Conv',
      psa.flatMap((b) => [`${b}/attn/proj/conv/Conv`, `${b}/ffn/ffn.1/conv/Conv`]),
      (c) => [4, c / 2 + 6],
    ),
    depthwiseFollowed(
      model,
      '/model.23/cv3.1/cv3.1.0/cv3.1.0.1/conv/Conv',
      '/model.23/cv3.1/cv3.1.1/cv3.1.1.0/conv/Conv',
      [9],
    ),
  ];
}

function planOf(units: readonly Unit[]): { channels: Record<string, number[]> } {
  return { channels: Object.fromEntries(units.map((u) => [u.group, [...u.channels]])) };
}

function killsOf(units: readonly Unit[]): Kills {
  const kills: Record<string, number[]> = {};
  for (const u of units)
    for (const [conv, list] of Object.entries(u.kills)) kills[conv] = [...(kills[conv] ?? []), ...list];
  return kills;
}

/** Prunes `units` out of `model` and compares with the dead-channel model: the max relative difference. */
async function oracle(model: Model, units: readonly Unit[], deps: PruneDeps = {}): Promise<OracleComparison> {
  const reference = killChannels(model, killsOf(units));
  const { model: pruned, removedChannels } = await pruneModel(model, planOf(units), deps);
  assert.equal(
    removedChannels,
    units.reduce((n, u) => n + u.channels.length, 0),
    'the plan removes exactly its channels',
  );
  const r = await compareWithDeadChannels(reference, pruned, killsOf(units), randomFeeds(model, IMGSZ));
  assert.ok(r.compared > 60, `compared only ${r.compared} tensors`);
  return r;
}

function assertSame(t: TestContext, r: OracleComparison): void {
  t.diagnostic(`max relative difference ${r.maxRelDiff} (${r.compared} tensors, worst ${r.worst})`);
  assert.ok(r.maxRelDiff <= TOLERANCE, `max relative difference ${r.maxRelDiff} at ${r.worst}`);
}

function build(family: YoloFamily, size: 'n' | 's', dynamic = false): Model {
  return buildYolo(yoloSpec(family, size, { nc: 3, imgsz: IMGSZ }), {
    batchNorm: 'random',
    seed: 11,
    dynamic,
  });
}

for (const size of ['n', 's'] as const) {
  test(`oracle: yolov8${size} (train-form) pruned of dead channels computes what the dead-channel model does`, async (t) => {
    const model = build('yolov8', size);
    assertSame(t, await oracle(model, yolov8Units(model)));
  });
}

test('oracle: an ultralytics-style dynamic export of yolov8n (deploy-form, BN folded, dynamic axes)', async (t) => {
  const { model } = exportDeployForm(build('yolov8', 'n', true));
  assert.equal(
    model.graph.nodes.filter((n) => n.opType === 'BatchNormalization').length,
    0,
    'deploy-form: dead channels are made by zeroing filter rows and conv biases',
  );
  const input = model.graph.inputs[0]!;
  assert.ok(input.type?.kind === 'tensor' && typeof input.type.shape?.[2] !== 'number', 'dynamic H');
  assertSame(t, await oracle(model, yolov8Units(model)));
});

for (const dynamic of [false, true]) {
  test(`oracle: yolo11n${dynamic ? ' dynamic' : ''}: attention key and value dims, C2PSA and C3k residuals`, async (t) => {
    const model = build('yolo11', 'n', dynamic);
    assertSame(t, await oracle(model, yolo11Units(model)));
  });
}

// The oracle must be able to fail: each control below differs from a correct unit in one hand-made detail.
test('oracle controls: a wrong channel, a missed residual adder or a value dim live in one head is detected', async () => {
  const model = build('yolov8', 'n');
  const shifted: Unit = { ...plain(model, '/model.0/conv/Conv', () => [1]), channels: [2] };
  const residual = c2fResidual(model, 4, (c) => [c / 2 + 3]);
  const missedAdder: Unit = {
    ...residual,
    kills: { '/model.4/cv1/conv/Conv': [35], '/model.4/m.0/cv2/conv/Conv': [3] }, // m.1's cv2 left alive
  };
  assert.equal(convOutChannels(model, '/model.4/cv1/conv/Conv'), 64, 'yolov8n model.4 is 64 wide');
  for (const unit of [shifted, missedAdder]) {
    const d = (await oracle(model, [unit])).maxRelDiff;
    assert.ok(d > 1e-3, `${unit.group}: the oracle missed a wrong reference (difference ${d})`);
  }
  // A value dim whose positional-conv channel is left alive in the second head is not dead there.
  const y11 = build('yolo11', 'n');
  const att = attention(y11, '/model.10/m/m.0', [], [3]);
  const peLive: Unit = { ...att, kills: { ...att.kills, '/model.10/m/m.0/attn/pe/conv/Conv': [3] } };
  const d = (await oracle(y11, [peLive])).maxRelDiff;
  assert.ok(d > 1e-3, `a value dim still live in one head must differ (difference ${d})`);
});

/**
 * The mutation check of docs/PRUNING.md, committed: a Concat rule that swaps the offsets of its first two
 * inputs when they are equally wide (C2f's [y0, y1, m0, ...]). Surgery then cuts the wrong half's columns
 * from cv2; the pruned model is valid ONNX, and only an outside reference can tell.
 */
function brokenConcatRegistry(): OpRegistry {
  const base = createDefaultRegistry();
  const concat = base.get('Concat')!;
  const broken: OpRule = {
    ...concat,
    couple(ctx: CouplingContext) {
      const [a, b] = ctx.node.inputs.filter(Boolean);
      const width = a === undefined ? undefined : ctx.channels(a);
      const channelAxis = intAttr(ctx.node, 'axis', 1) === 1;
      if (
        !channelAxis ||
        a === undefined ||
        b === undefined ||
        width === undefined ||
        width !== ctx.channels(b)
      ) {
        concat.couple(ctx);
        return;
      }
      const swapped: CouplingContext = {
        node: ctx.node,
        opset: ctx.opset,
        channels: (t) => ctx.channels(t),
        dims: (t) => ctx.dims(t),
        constant: (t) => ctx.constant(t),
        consumers: (t) => ctx.consumers(t),
        isGraphOutput: (t) => ctx.isGraphOutput(t),
        source: (t) => ctx.source(t),
        block: (t, kind, detail) => ctx.block(t, kind, detail),
        coupleRange: (ta, oa, tb, ob, n) =>
          ctx.coupleRange(ta, oa, tb, ta === a ? ob + width : ta === b ? ob - width : ob, n),
      };
      concat.couple(swapped);
    },
  };
  const registry = new OpRegistry();
  for (const op of base.opTypes()) registry.register(op === 'Concat' ? broken : base.get(op)!);
  for (const pattern of base.patterns()) registry.registerPattern(pattern);
  return registry;
}

test('mutation: a Concat rule with swapped offsets passes through the engine but fails the oracle', async (t) => {
  const model = build('yolov8', 'n');
  const units = [c2fResidual(model, 2, (c) => [2, c / 2 + 3]), c2fResidual(model, 6, () => [5])];
  assertSame(t, await oracle(model, units));
  const d = (await oracle(model, units, { registry: brokenConcatRegistry() })).maxRelDiff;
  t.diagnostic(`broken Concat rule: max relative difference ${d}`);
  assert.ok(d > 1e-2, `the oracle did not detect the broken Concat rule (difference ${d})`);
});
