// The entry points set the V8 flags of bin/exit-deadlock.cjs, so no Maglev job can be in flight when
// their process exits (the Node 24 exit deadlock). A probe preloaded with --require reports, as the process
// exits, whether Maglev is still on; V8's %IsMaglevEnabled reads the live flag.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../runtime/paths';

const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'exit-deadlock-'));
const probe = path.join(probeDir, 'probe.cjs');
after(() => fs.rmSync(probeDir, { recursive: true, force: true }));
fs.writeFileSync(
  probe,
  'process.on("exit", () => process.stderr.write("maglev at exit: " + %IsMaglevEnabled() + "\\n"));\n',
);

function maglevAtExit(args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--require', probe, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  const m = /maglev at exit: (true|false)/.exec(r.stderr);
  assert.ok(m, `no probe line from ${args.join(' ')}: ${r.stderr.slice(-2000)}`);
  return m[1]!;
}

test('a plain node process has Maglev on (the probe sees the flag)', () => {
  assert.equal(maglevAtExit(['-e', '0']), 'true');
});

test('the stageprune CLI turns Maglev off before it runs a verb', () => {
  assert.equal(maglevAtExit([path.join('bin', 'stageprune.cjs'), 'model', '--help']), 'false');
});

for (const queue of ['cpu', 'gpu']) {
  test(`the ${queue} worker turns Maglev off (here it exits at once: no Temporal server to reach)`, () => {
    const worker = path.join('workers', `${queue}-worker.ts`);
    const flag = maglevAtExit(['--import', 'tsx', worker], { STAGEPRUNE_TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(flag, 'false');
  });
}
