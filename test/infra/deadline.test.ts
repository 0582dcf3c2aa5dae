// The deadline helpers every integration test waits with: a stuck wait fails, saying what it waited for and
// the last error it saw, instead of swallowing errors in an unbounded loop.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeadlineError, pollUntil, within } from '../support/deadline';

test('pollUntil returns the first defined value, retrying through errors', async () => {
  let n = 0;
  const v = await pollUntil(
    'the third try',
    async () => {
      n++;
      if (n === 1) throw new Error('not yet queryable');
      return n === 3 ? 'ok' : undefined;
    },
    { timeoutMs: 5_000, intervalMs: 1 },
  );
  assert.equal(v, 'ok');
  assert.equal(n, 3);
});

test('pollUntil fails at its deadline naming what it waited for, the last value and the last error', async () => {
  let stage = 'evaluating-baseline';
  await assert.rejects(
    pollUntil(
      'the run to hold at the approval gate',
      async () => {
        stage = 'planning';
        throw new Error('query failed: no worker');
      },
      { timeoutMs: 50, intervalMs: 5, lastValue: () => stage },
    ),
    (e: unknown) =>
      e instanceof DeadlineError &&
      /timed out after 0 s waiting for the run to hold at the approval gate/.test(e.message) &&
      /last value "planning"/.test(e.message) &&
      /last error Error: query failed: no worker/.test(e.message),
  );
});

test('within rejects a promise that does not settle in time, and passes through one that does', async () => {
  assert.equal(await within('a quick answer', Promise.resolve(7), 1_000), 7);
  await assert.rejects(
    within('a result that never comes', new Promise(() => {}), 20),
    /waiting for a result that never comes/,
  );
});
