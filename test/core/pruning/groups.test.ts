// Group structure on hand-made graphs: which channels are coupled, with which offsets, and why frozen.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildChannelGraph, componentOf } from '../../../core/pruning/dependency/channel-graph';
import { OpRegistry } from '../../../core/pruning/dependency/op-registry';
import { convRule } from '../../../core/pruning/dependency/rules';
import { PruneError } from '../../../core/pruning/errors';
import { buildGroups, prunableChannels } from '../../../core/pruning/groups';
import { TinyGraph } from '../../support/pruning/tiny-graph';

test('registry refuses a second rule for the same op', () => {
  const r = new OpRegistry().register(convRule);
  assert.throws(
    () => r.register(convRule),
    (e: unknown) => e instanceof PruneError && e.code === 'PRUNE_RULE_DUPLICATE',
  );
});

test('concat places each input at its offset; a residual add joins two convs into one group', () => {
  const g = new TinyGraph();
  const x = g.input(4);
  const a = g.conv(x, 8, { name: 'a' });
  const b = g.conv(x, 8, { name: 'b' });
  const c = g.conv(x, 6, { name: 'c' });
  const sum = g.binary('Add', a, b);
  const cat = g.concat([c, sum]);
  g.output(g.conv(cat, 3, { name: 'head' }));
  const cg = buildChannelGraph(g.build());
  const gs = buildGroups(cg);
  assert.deepEqual(gs.byId.get('a')!.sourceNodes, ['a', 'b']);
  assert.equal(gs.byId.has('b'), false);
  for (let k = 0; k < 8; k++) assert.equal(componentOf(cg, cat, 6 + k), componentOf(cg, a, k));
  for (let k = 0; k < 6; k++) assert.equal(componentOf(cg, cat, k), componentOf(cg, c, k));
  assert.equal(
    gs.byId.get('head')!.frozen.every((r) => r?.kind === 'graph-output'),
    true,
  );
  assert.equal(gs.byId.get('x')!.frozen[0]!.kind, 'graph-input');
});

test('unequal split sizes map output j to input offset; depthwise conv couples in to out', () => {
  const g = new TinyGraph();
  const x = g.input(4);
  const a = g.conv(x, 12, { name: 'a' });
  const [p, q] = g.split(a, [5, 7]);
  const dw = g.conv(q!, 7, { k: 3, group: 7, name: 'dw' });
  g.output(g.conv(g.concat([p!, dw]), 2, { name: 'head' }));
  const cg = buildChannelGraph(g.build());
  for (let k = 0; k < 7; k++) {
    assert.equal(componentOf(cg, q!, k), componentOf(cg, a, 5 + k));
    assert.equal(componentOf(cg, dw, k), componentOf(cg, a, 5 + k));
  }
  assert.equal(buildGroups(cg).byId.has('dw'), false);
});

test('an op without a rule freezes the channels around it, reported with the op', () => {
  const g = new TinyGraph();
  const x = g.input(4);
  const a = g.conv(x, 8, { name: 'a' });
  const t = g.node(
    'Transpose',
    [a],
    [[1, 8, 8, 8]],
    { perm: { type: 'ints', value: [0, 1, 3, 2] } },
    'mystery',
  )[0]!;
  g.output(g.conv(t, 2, { name: 'head' }));
  const gs = buildGroups(buildChannelGraph(g.build()));
  const frozen = gs.frozen.find((f) => f.group === 'a')!;
  assert.equal(frozen.reason, 'unknown-op');
  assert.equal(frozen.at, 'mystery');
  assert.deepEqual(prunableChannels(gs.byId.get('a')!), []);
});
