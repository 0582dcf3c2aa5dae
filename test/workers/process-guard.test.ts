import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../runtime/paths';

const script = path.join(__dirname, '..', 'support', 'stray-errors.ts');

function runStray(...flags: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...flags], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('without the guard a stray rejection in one activity ends the process (what issue 17 saw)', () => {
  const r = runStray();
  assert.notEqual(r.code, 0);
  assert.doesNotMatch(r.stdout, /worker still alive/);
});

test('the worker process guard logs stray errors with the activity identity and the process goes on', () => {
  const r = runStray('--guard');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /worker still alive/);
  const reports = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const kinds = reports.map((x) => x.event).sort();
  assert.deepEqual(kinds, ['uncaughtException', 'unhandledRejection']);
  for (const x of reports) {
    assert.equal(x.activityType, 'leakyUpload');
    assert.equal(x.activityId, 'act-17');
    assert.equal(x.workflowId, 'run-17');
    assert.equal(x.level, 'error');
  }
  assert.match(
    String(reports.find((x) => x.event === 'unhandledRejection')?.error),
    /stray checkpoint upload/,
  );
});

test('an error that belongs to no activity is logged and ends the process non-zero', () => {
  const r = runStray('--guard', '--outside');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /worker still alive/);
  assert.doesNotMatch(r.stdout, /survived an error outside/);
  assert.match(r.stderr, /"level":"fatal".*outside any activity/);
});
