// The importance-criterion suite: every registered criterion runs the same checks on one tiny model — one
// score per group channel, finite, deterministic — and, where the criterion reads weights, a channel made
// useless (its filter and its consumer's column zeroed, its BN gamma zero) scores lowest.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Model } from '../../../core/onnx/model';
import { buildChannelGraph } from '../../../core/pruning/dependency/channel-graph';
import { buildGroups } from '../../../core/pruning/groups';
import type { CriterionName, ImportanceContext } from '../../../core/pruning/importance/criterion';
import { collectGroupMembers } from '../../../core/pruning/importance/group-members';
import { criterionByName, criterionNames } from '../../../core/pruning/importance/importance-registry';
import { propagateNisp } from '../../../core/pruning/importance/nisp';
import { onnxActivationRanks } from '../../../runtime/pruning/activations';
import { randomFeeds } from '../../support/pruning/invariant';
import { TinyGraph } from '../../support/pruning/tiny-graph';

const DEAD = 5;

/** x → conv a (8, BN, SiLU) → concat with a second branch → conv head; channel DEAD of a is dead. */
function model(): Model {
  const g = new TinyGraph(11);
  const x = g.input(4);
  const a = g.silu(g.bn(g.conv(x, 8, { k: 3, name: 'a', bias: false })));
  const b = g.cbs(x, 6);
  g.output(g.conv(g.concat([a, b]), 3, { name: 'head' }));
  const m = g.build();
  const zero = (
    name: string,
    rows: number,
    cols: number,
    row: number | undefined,
    col: number | undefined,
  ) => {
    const w = m.graph.initializers.get(name)!;
    const data = w.data as Float32Array;
    const k = data.length / (rows * cols);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++)
        if (r === row || c === col) data.fill(0, (r * cols + c) * k, (r * cols + c + 1) * k);
  };
  zero('a.weight', 8, 4, DEAD, undefined);
  zero('head.weight', 3, 14, undefined, DEAD);
  const bn = m.graph.nodes.find((n) => n.opType === 'BatchNormalization')!;
  (m.graph.initializers.get(bn.inputs[1]!)!.data as Float32Array)[DEAD] = 0;
  return m;
}

const WEIGHT_BASED: readonly CriterionName[] = ['l1', 'l2', 'bn-gamma', 'nisp', 'hrank', 'taylor'];

for (const name of criterionNames()) {
  test(`criterion ${name}: one finite score per channel, deterministic${WEIGHT_BASED.includes(name) ? ', a dead channel scores lowest' : ''}`, async () => {
    const m = model();
    const cg = buildChannelGraph(m);
    const gs = buildGroups(cg);
    const group = gs.byId.get('a')!;
    const aOut = m.graph.nodes.find((n) => n.name === 'a')!.outputs[0]!;
    const ranks = await onnxActivationRanks(m, [randomFeeds(m, 8)['x']!]).ranks([aOut]);
    const ctx: ImportanceContext = {
      groups: gs,
      membersOf: collectGroupMembers(gs),
      seed: 3,
      nisp: propagateNisp(cg),
      ranks,
      externalScores: new Map([['a', Float64Array.from({ length: 8 }, (_, c) => (c === DEAD ? 0 : 1 + c))]]),
    };
    const criterion = criterionByName(name);
    const options = { reduction: 'mean' as const, normalization: 'mean' as const };
    const scores = criterion.score(group, ctx, options);
    assert.equal(scores.length, group.components.length);
    assert.ok(scores.every((s) => Number.isFinite(s)));
    assert.deepEqual(criterion.score(group, ctx, options), scores);
    if (WEIGHT_BASED.includes(name)) {
      const dead = group.components.findIndex(
        (c) => c === cg.componentOfElement[cg.tensors.get(aOut)!.base + DEAD],
      );
      assert.equal(
        scores.indexOf(Math.min(...scores)),
        dead,
        `scores ${[...scores].map((s) => s.toFixed(3))}`,
      );
    }
  });
}
