// NetAdapt's proposal step against a fake latency model whose answer is known by hand.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  candidateWidths,
  fitFixedMs,
  predictLatency,
  unitLatency,
  type LatencyTable,
} from '../../../core/latency/latency-table';
import {
  decrementAt,
  proposeCuts,
  proposeCutsWithin,
  type LatencyModel,
} from '../../../core/search/netadapt';

// Latency = 10 + 0.1 ms per channel of `a` + 0.05 ms per channel of `b`, widths in steps of 8.
const fake: LatencyModel = {
  predict: (w) => 10 + 0.1 * (w['a'] ?? 64) + 0.05 * (w['b'] ?? 64),
  widthsOf: () => [56, 48, 40, 32, 24, 16, 8],
};

test('each unit proposes its widest width that saves the decrement; cheapest per channel first', () => {
  const current = { a: 64, b: 64 };
  // now = 10 + 6.4 + 3.2 = 19.6; goal 19.6 − 1.5 = 18.1
  const props = proposeCuts(fake, current, 1.5);
  assert.deepEqual(
    props.map((p) => [p.unit, p.from, p.to]),
    [
      ['a', 64, 48], // saves 1.6 ms over 16 channels: 0.1 ms/channel
      ['b', 64, 32], // saves 1.6 ms over 32 channels: 0.05 ms/channel
    ],
  );
  assert.ok(props.every((p) => p.predictedMs <= 18.1 + 1e-9));
  assert.deepEqual(
    proposeCuts(fake, current, 1.5, { topK: 1 }).map((p) => p.unit),
    ['a'],
  );
  // A decrement no single unit can reach: nothing to propose.
  assert.deepEqual(proposeCuts(fake, current, 9), []);
  assert.deepEqual(
    proposeCuts(fake, current, 1.5, { exclude: new Set(['a']) }).map((p) => p.unit),
    ['b'],
  );
});

test('a decrement no unit reaches alone is halved until one does, and never below the resolution', () => {
  const current = { a: 64, b: 64 };
  // a can save at most 5.6 ms (64 → 8), b 2.8 ms: 9 ms is out of reach, 4.5 ms is not (a → 16 saves 4.8).
  const r = proposeCutsWithin(fake, current, 9, 0.5);
  assert.equal(r.decrementMs, 4.5);
  assert.deepEqual(
    r.proposals.map((p) => [p.unit, p.to]),
    [['a', 16]],
  );
  // Nothing can save anything once both units are at their narrowest width: no proposals, at the floor.
  const none = proposeCutsWithin(fake, { a: 8, b: 8 }, 4, 0.5);
  assert.deepEqual(none.proposals, []);
  assert.equal(none.decrementMs, 0.5);
});

test('the decrement decays geometrically and never goes below its floor', () => {
  assert.equal(decrementAt(2, 0.5, 0), 2);
  assert.equal(decrementAt(2, 0.5, 2), 0.5);
  assert.equal(decrementAt(2, 0.5, 10, 0.1), 0.1);
});

const table: LatencyTable = {
  version: 1,
  key: { modelSha256: 'a'.repeat(64), provider: 'cpu', threads: 1, batch: 1, imgsz: 64, host: 'test' },
  baseMs: 20,
  noiseMs: 0.1,
  runs: 5,
  units: {
    x: { full: 32, widths: [24, 16, 8], ms: [19, 18, 17] },
    y: { full: 16, widths: [8], ms: [19.5] },
  },
};

test("the table interpolates between measured widths and multiplies the units' ratios", () => {
  assert.equal(unitLatency(table, 'x', 32), 20);
  assert.equal(unitLatency(table, 'x', 20), 18.5);
  assert.equal(unitLatency(table, 'unknown', 8), 20);
  assert.ok(Math.abs(predictLatency(table, { x: 16, y: 8 }) - 20 * (18 / 20) * (19.5 / 20)) < 1e-12);
  // Heavy cuts never predict a negative latency (summed savings did).
  assert.ok(predictLatency(table, { x: 1, y: 1 }) >= 0);
  // A fixed part no cut shrinks: joint cuts share less, so the prediction is slower than plain ratios.
  const withFixed = { ...table, fixedMs: 10 };
  assert.ok(Math.abs(predictLatency(withFixed, { x: 16, y: 8 }) - (10 + 10 * (8 / 10) * (9.5 / 10))) < 1e-12);
  assert.equal(predictLatency(withFixed, { x: 16 }), 18, 'one unit alone is its own measurement');
  // Below the narrowest width: the last slope continues.
  assert.equal(unitLatency(table, 'x', 4), 16.5);
});

test('the fixed part is fitted so that the table predicts the calibration model it was measured on', () => {
  const widths = { x: 16, y: 8 };
  const measured = 17.8; // slower than plain ratios predict (17.55)
  const fixed = fitFixedMs(table, widths, measured);
  assert.ok(fixed > 0 && fixed < 17);
  assert.ok(Math.abs(predictLatency({ ...table, fixedMs: fixed }, widths) - measured) < 1e-9);
  assert.equal(
    fitFixedMs(table, widths, 17),
    0,
    'a model faster than plain ratios predict needs no fixed part',
  );
});

test('candidate widths: at most `count` of the reachable ones, evenly spread, widest to narrowest', () => {
  const all = [56, 48, 40, 32, 24, 16, 8];
  assert.deepEqual(candidateWidths(all, 100), all);
  assert.deepEqual(candidateWidths(all, 3), [56, 32, 8]);
  assert.deepEqual(candidateWidths(all, 1), [32], 'one width is the middle one, never NaN');
  assert.deepEqual(candidateWidths([], 3), []);
});
