// The op-rule conformance suite: every entry of the default registry runs the same case — the op sits in
// a channel path between prunable convs, a random 40% of every group is removed, and the pruned model must
// load in onnxruntime, keep its output shape and match the zeroed original (the correctness invariant).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultRegistry } from '../../../core/pruning/dependency/default-registry';
import { pruneModel } from '../../../core/pruning/prune-model';
import { checkInvariant, randomFeeds } from '../../support/pruning/invariant';
import { TinyGraph } from '../../support/pruning/tiny-graph';

type Case = (g: TinyGraph, x: string) => string;

const unary =
  (op: string, attributes = {}): Case =>
  (g, x) =>
    g.unary(op, g.cbs(x, 16), attributes);
const positive =
  (op: string): Case =>
  (g, x) =>
    g.unary(op, g.unary('Sigmoid', g.cbs(x, 16)));
const binary =
  (op: string): Case =>
  (g, x) => {
    const a = g.cbs(x, 16);
    return g.binary(op, g.binary(op, a, g.unary('Sigmoid', g.cbs(x, 16))), g.channelConstant(16));
  };

/** One case per registered op type; the suite fails when a registry entry has none. */
const CASES: Record<string, Case> = {
  Conv: (g, x) => g.conv(g.conv(g.cbs(x, 16), 16, { k: 3, group: 16 }), 12, { k: 3 }),
  BatchNormalization: (g, x) => g.bn(g.conv(x, 16)),
  Concat: (g, x) => g.concat([g.cbs(x, 16), x, g.cbs(x, 8)]),
  Split: (g, x) => {
    const [a, b, c] = g.split(g.cbs(x, 24), [6, 10, 8]);
    return g.concat([g.cbs(a!, 8), b!, g.binary('Add', c!, g.cbs(c!, 8))]);
  },
  Slice: (g, x) => g.slice(g.cbs(x, 24), 4, 20),
  Resize: (g, x) => g.resize(g.cbs(x, 16)),
  Softmax: unary('Softmax', { axis: { type: 'int', value: -1 } }),
  // Shape read for H and W only (as dynamic Detect heads do): the channels stay prunable.
  Shape: (g, x) => {
    const a = g.cbs(x, 16);
    const [shape] = g.node('Shape', [a], [[4]]);
    const [hw] = g.node('Gather', [shape!, g.int64([2, 3])], [[2]], { axis: { type: 'int', value: 0 } });
    const value = { name: '', dataType: 1, dims: [1], data: Float32Array.of(0.5) };
    const [plane] = g.node('ConstantOfShape', [hw!], [[8, 8]], { value: { type: 'tensor', value } });
    return g.binary('Add', a, plane!);
  },
  Identity: unary('Identity'),
  Relu: unary('Relu'),
  LeakyRelu: unary('LeakyRelu'),
  Sigmoid: unary('Sigmoid'),
  HardSigmoid: unary('HardSigmoid'),
  HardSwish: unary('HardSwish'),
  Tanh: unary('Tanh'),
  Elu: unary('Elu'),
  Selu: unary('Selu'),
  Softplus: unary('Softplus'),
  Erf: unary('Erf'),
  Neg: unary('Neg'),
  Abs: unary('Abs'),
  Exp: unary('Exp'),
  Log: positive('Log'),
  Sqrt: positive('Sqrt'),
  Reciprocal: positive('Reciprocal'),
  Clip: unary('Clip'),
  Dropout: unary('Dropout'),
  MaxPool: (g, x) => g.maxPool(g.cbs(x, 16)),
  AveragePool: unary('AveragePool', {
    kernel_shape: { type: 'ints', value: [3, 3] },
    pads: { type: 'ints', value: [1, 1, 1, 1] },
  }),
  GlobalAveragePool: (g, x) =>
    g.binary('Mul', g.cbs(x, 16), g.node('GlobalAveragePool', [g.cbs(x, 16)], [[1, 16, 1, 1]])[0]!),
  GlobalMaxPool: (g, x) =>
    g.binary('Add', g.cbs(x, 16), g.node('GlobalMaxPool', [g.cbs(x, 16)], [[1, 16, 1, 1]])[0]!),
  Add: binary('Add'),
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  Div: (g, x) => g.binary('Div', g.cbs(x, 16), g.channelConstant(16)),
  Pow: (g, x) => g.binary('Pow', g.unary('Sigmoid', g.cbs(x, 16)), g.channelConstant(16)),
  Max: binary('Max'),
  Min: binary('Min'),
  Sum: binary('Sum'),
  Mean: binary('Mean'),
};

test('every registered op rule has a conformance case', () => {
  assert.deepEqual(
    defaultRegistry.opTypes().filter((op) => !(op in CASES)),
    [],
  );
});

for (const op of defaultRegistry.opTypes()) {
  test(`op rule ${op}: pruned model equals the zeroed original`, async () => {
    const g = new TinyGraph(op.length * 31 + 7);
    const x = g.input(6);
    const y = g.conv(CASES[op]!(g, x), 5, { k: 3 });
    g.output(y);
    const model = g.build();
    const {
      model: pruned,
      applied,
      removedChannels,
    } = await pruneModel(model, { global_ratio: 0.4, criterion: 'random', round_to: 1, min_channels: 1 });
    assert.ok(removedChannels > 0, 'some channels were removed');
    const result = await checkInvariant(model, pruned, applied, randomFeeds(model, 8));
    assert.ok(result.maxRelDiff <= 1e-4, `max relative difference ${result.maxRelDiff}`);
  });
}
