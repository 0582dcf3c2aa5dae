// The workers' log lines (core SDK, workers, activities) go to the log file; stderr gets them only when asked.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { logSink } from '../../workers/runtime-logging';

const entry = {
  level: 'WARN' as const,
  message: 'Query not found when attempting to respond to it',
  meta: { runId: 'r1' },
  timestampNanos: 1_700_000_000_000_000_000n,
};

function stderrOf(t: TestContext, fn: () => void): string {
  const written: string[] = [];
  t.mock.method(process.stderr, 'write', (chunk: string) => (written.push(chunk), true));
  try {
    fn();
  } finally {
    t.mock.restoreAll();
  }
  return written.join('');
}

test('with a file: every line in the file, none on stderr; --verbose (stderr: true): both', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-logs-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'logs', 'demo-workers.log');
  assert.equal(
    stderrOf(t, () => logSink({ file })(entry)),
    '',
  );
  assert.match(
    fs.readFileSync(file, 'utf8'),
    /^2023-11-14T22:13:20\.000Z \[WARN\] Query not found .*runId: 'r1'/,
  );
  const verbose = stderrOf(t, () => logSink({ file, stderr: true })(entry));
  assert.match(verbose, /\[WARN\] Query not found/);
  assert.equal(fs.readFileSync(file, 'utf8').trim().split('\n').length, 2);
});

test('without a file the lines go to stderr, as the tests and worker processes have them', (t) => {
  assert.match(
    stderrOf(t, () => logSink({})(entry)),
    /\[WARN\] Query not found/,
  );
});
