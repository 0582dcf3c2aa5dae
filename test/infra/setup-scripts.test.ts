// Setup does what the command needs: demo.sh's setup installs no browser (only the report's browser test uses
// one); test.sh sets Chromium up through infra/setup-chromium.sh, which, where it cannot install it, says what
// to install and leaves the test to skip with that reason in the closing line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const script = (name: string) => readFileSync(path.join(root, 'infra', name), 'utf8');
const commands = (text: string) =>
  text
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n');

test('the demo’s setup installs no Chromium; test.sh sets it up', () => {
  for (const name of ['setup.sh', 'demo.sh']) assert.doesNotMatch(commands(script(name)), /chromium/i, name);
  assert.doesNotMatch(script('demo.sh'), /setup-chromium/);
  assert.match(commands(script('test.sh')), /^bash infra\/setup-chromium\.sh$/m);
});

test('without apt-get (or root), setup-chromium.sh names what to install and exits 0, installing nothing', () => {
  // A PATH with `id` only: no apt-get to call, whoever runs the test.
  const bin = mkdtempSync(path.join(os.tmpdir(), 'stageprune-noapt-'));
  try {
    symlinkSync(
      spawnSync('sh', ['-c', 'command -v id'], { encoding: 'utf8' }).stdout.trim(),
      path.join(bin, 'id'),
    );
    const r = spawnSync('/bin/bash', [path.join(root, 'infra', 'setup-chromium.sh')], {
      encoding: 'utf8',
      env: { PATH: bin, STAGEPRUNE_CHROMIUM: path.join(bin, 'no-chromium-here') },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /chromium missing at .*no-chromium-here/);
    assert.match(r.stdout, /sudo apt-get install chromium/);
    assert.match(r.stdout, /the report's browser test is skipped/);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});

test('the closing line says why tests were skipped, each reason once', () => {
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'test', 'run-tests.cjs'), path.join('test', 'fixtures', 'runner', 'skips.test.ts')],
    { cwd: root, encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  assert.match(
    r.stdout,
    /^1 passed, 0 failed, 2 skipped \(skipped: the tool is missing \(install it\); no GPU\)$/m,
  );
});
