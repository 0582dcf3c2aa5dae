// No test may hang CI: test/run-tests.cjs fails a stuck test after its per-test timeout, ends a test file that
// a leaked handle keeps alive, and kills a whole run past its guard (with the processes it started), each
// time with a message and the closing "N passed, N failed" line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const HANGS = path.join('test', 'fixtures', 'runner', 'hangs.test.ts');

function runRunner(env: Record<string, string>): {
  code: number | null;
  out: string;
  ms: number;
  childPid: number;
} {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stageprune-runner-'));
  const pidFile = path.join(dir, 'child.pid');
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [path.join(root, 'test', 'run-tests.cjs'), HANGS], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, HANG_CHILD_PID_FILE: pidFile, ...env },
    timeout: 120_000, // this test's own bound, should the runner hang after all
  });
  const childPid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
  rmSync(dir, { recursive: true, force: true });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, ms: Date.now() - t0, childPid };
}

/** True once `pid` is gone (a killed process stays a zombie until init reaps it: allow a few seconds). */
function gone(pid: number): boolean {
  const until = Date.now() + 5_000;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    if (Date.now() > until) return false;
    spawnSync('sleep', ['0.1']);
  }
}

test('a stuck test fails after the per-test timeout, and its leaked handles do not keep the run alive', () => {
  const r = runRunner({ STAGEPRUNE_TEST_TIMEOUT_MS: '2000', STAGEPRUNE_TEST_EXIT_GRACE_MS: '1000' });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /test timed out after 2000ms/);
  assert.match(r.out, /was still running 1 s after its tests finished \(a leaked handle\); ending it/);
  assert.match(r.out, /^0 passed, 1 failed, 0 skipped$/m);
  assert.ok(r.ms < 60_000, `took ${r.ms} ms`);
  assert.ok(r.childPid > 0 && gone(r.childPid), 'the process the test started is gone');
});

test('a run past its guard is killed with its processes, with a message and the closing line', () => {
  const r = runRunner({ STAGEPRUNE_TEST_TIMEOUT_MS: '600000', STAGEPRUNE_TEST_RUN_TIMEOUT_MS: '4000' });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /run-tests: the run exceeded 0\.07 min \(STAGEPRUNE_TEST_RUN_TIMEOUT_MS\); killing it/);
  assert.match(r.out, /^0 passed, 1 failed, 0 skipped \(the run was killed after 0\.07 min\)$/m);
  assert.ok(r.ms < 60_000, `took ${r.ms} ms`);
  assert.ok(r.childPid > 0 && gone(r.childPid), 'the process the test started is gone');
});
