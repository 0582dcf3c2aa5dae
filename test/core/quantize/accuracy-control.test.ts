import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controlAccuracy, type QuantLayer } from '../../../core/quantize';

const layers: QuantLayer[] = ['a', 'b', 'c', 'd'].map((name) => ({ name, nodes: [name] }));
/** What keeping each layer in float recovers, in mAP (additive, as a toy model of sensitivity). */
const recovery: Record<string, number> = { a: 0.001, b: 0.006, c: 0.003, d: 0 };

function evaluator(floatMap: number, allInt8: number) {
  const calls: string[][] = [];
  return {
    calls,
    evaluate: async (kept: readonly QuantLayer[]) => {
      calls.push(kept.map((l) => l.name));
      return allInt8 + kept.reduce((s, l) => s + recovery[l.name]!, 0);
    },
    floatMap,
  };
}

test('within budget with everything int8: one evaluation, nothing kept', async () => {
  const e = evaluator(0.62, 0.618);
  const r = await controlAccuracy(layers, { maxDropPoints: 0.5, ...e });
  assert.deepEqual(r.keptLayers, []);
  assert.ok(r.withinBudget);
  assert.equal(e.calls.length, 1);
});

test('over budget: scan every layer, keep the most recovering first, stop once within budget', async () => {
  // 1.0 point lost; budget 0.5: b (0.6) alone is enough.
  const e = evaluator(0.62, 0.61);
  const r = await controlAccuracy(layers, { maxDropPoints: 0.5, ...e });
  assert.deepEqual(r.keptLayers, ['b']);
  assert.deepEqual(
    r.sensitivity.map((s) => s.layer),
    ['a', 'b', 'c', 'd'],
  );
  assert.ok(r.withinBudget);
  assert.ok(Math.abs(r.finalMap - 0.616) < 1e-12);
  // A tighter budget needs b then c.
  const tight = await controlAccuracy(layers, { maxDropPoints: 0.15, ...evaluator(0.62, 0.61) });
  assert.deepEqual(tight.keptLayers, ['b', 'c']);
});

test('an unreachable budget keeps trying up to maxKept and says it was not met', async () => {
  const r = await controlAccuracy(layers, { maxDropPoints: 0, maxKept: 2, ...evaluator(0.62, 0.6) });
  assert.equal(r.keptLayers.length, 2);
  assert.equal(r.withinBudget, false);
});
