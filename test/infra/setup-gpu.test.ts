// infra/setup-gpu.sh's provider step on a small fake onnxruntime-gpu wheel with known checksums (the real
// wheel is ~250 MB: `bash infra/setup.sh --gpu` installs it; CI never downloads it): installs and verifies,
// does nothing the second time, replaces a corrupted library, and refuses a wheel or a library whose sha256
// is not the pinned one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../runtime/paths';

const LIBS = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'] as const;
const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const ortNodeVersion = (
  JSON.parse(
    fs.readFileSync(path.join(repoRoot, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8'),
  ) as { version: string }
).version;

/** A zip laid out as the wheel is (onnxruntime/capi/<lib>), made with Python's zipfile. */
function makeWheel(file: string, contents: Record<string, string>): void {
  const r = spawnSync(
    'python3',
    [
      '-c',
      'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1],"w")\nfor k,v in json.loads(sys.argv[2]).items(): z.writestr("onnxruntime/capi/"+k, v)\nz.close()',
      file,
      JSON.stringify(contents),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
}

interface Fixture {
  dir: string;
  wheel: string;
  target: string;
  cache: string;
  versions: (over?: Record<string, string>) => string;
  run: (versionsFile: string, ...extra: string[]) => { code: number | null; out: string };
}

function fixture(t: { after: (fn: () => void) => void }): Fixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-setup-gpu-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const contents: Record<string, string> = {
    [LIBS[0]]: 'fake shared provider\n',
    [LIBS[1]]: 'fake cuda provider\n'.repeat(1000),
  };
  const wheel = path.join(dir, 'onnxruntime_gpu-fake.whl');
  makeWheel(wheel, contents);
  const libSha = (name: string) => createHash('sha256').update(contents[name]!).digest('hex');
  const target = path.join(dir, 'binding');
  const cache = path.join(dir, 'cache');
  const pins: Record<string, string> = {
    ORT_GPU_VERSION: ortNodeVersion,
    ORT_GPU_WHEEL: path.basename(wheel),
    ORT_GPU_WHEEL_SHA256: sha(wheel),
    ORT_PROVIDER_SHARED_SHA256: libSha(LIBS[0]),
    ORT_PROVIDER_CUDA_SHA256: libSha(LIBS[1]),
  };
  let n = 0;
  return {
    dir,
    wheel,
    target,
    cache,
    versions(over = {}) {
      const file = path.join(dir, `versions-${n++}.env`);
      const all = { ...pins, ...over };
      fs.writeFileSync(
        file,
        Object.entries(all)
          .map(([k, v]) => `${k}=${v}\n`)
          .join(''),
      );
      return file;
    },
    run(versionsFile, ...extra) {
      const r = spawnSync(
        'bash',
        [
          path.join(repoRoot, 'infra', 'setup-gpu.sh'),
          '--versions',
          versionsFile,
          '--target',
          target,
          '--cache',
          cache,
          '--no-cuda-libs',
          ...extra,
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      return { code: r.status, out: `${r.stdout}${r.stderr}` };
    },
  };
}

test('installs the provider libraries verified by sha256, and a second run changes nothing', (t) => {
  const f = fixture(t);
  const versions = f.versions();
  const first = f.run(versions, '--wheel', f.wheel);
  assert.equal(first.code, 0, first.out);
  assert.match(first.out, /installed onnxruntime CUDA provider/);
  const pinned = fs.readFileSync(versions, 'utf8');
  for (const lib of LIBS) assert.ok(pinned.includes(sha(path.join(f.target, lib))), lib);
  const mtimes = LIBS.map((lib) => fs.statSync(path.join(f.target, lib)).mtimeMs);

  // Idempotent: no wheel needed, nothing rewritten.
  fs.rmSync(f.wheel);
  const second = f.run(versions, '--wheel', f.wheel);
  assert.equal(second.code, 0, second.out);
  assert.match(second.out, /present in .* \(sha256 verified\)/);
  assert.deepEqual(
    LIBS.map((lib) => fs.statSync(path.join(f.target, lib)).mtimeMs),
    mtimes,
  );

  // An emptied binding folder (npm ci) is refilled from the verified cache, still without the wheel.
  fs.rmSync(f.target, { recursive: true });
  const third = f.run(versions, '--wheel', f.wheel);
  assert.equal(third.code, 0, third.out);
  assert.match(third.out, /using the verified copy/);
});

test('a corrupted library is detected and replaced with the verified one', (t) => {
  const f = fixture(t);
  const versions = f.versions();
  assert.equal(f.run(versions, '--wheel', f.wheel).code, 0);
  const cudaLib = path.join(f.target, LIBS[1]);
  const good = sha(cudaLib);
  // Replaced (not written through the hard link), as a truncated copy or a stray file would be.
  fs.rmSync(cudaLib);
  fs.writeFileSync(cudaLib, 'truncated');
  const r = f.run(versions, '--wheel', f.wheel);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /libonnxruntime_providers_cuda\.so does not match its pinned sha256: replacing it/);
  assert.equal(sha(cudaLib), good);

  // Corrupted in place, cache included (they share the inode): a fresh extraction from the wheel.
  fs.appendFileSync(cudaLib, 'x');
  const again = f.run(versions, '--wheel', f.wheel);
  assert.equal(again.code, 0, again.out);
  assert.equal(sha(cudaLib), good);
});

test('a wheel or a library whose sha256 is not the pinned one is refused and nothing is installed', (t) => {
  const f = fixture(t);
  const badWheel = f.run(f.versions({ ORT_GPU_WHEEL_SHA256: '0'.repeat(64) }), '--wheel', f.wheel);
  assert.notEqual(badWheel.code, 0);
  assert.match(badWheel.out, /sha256 [0-9a-f]{64}, expected 0{64}.*refusing to install it/);
  assert.equal(fs.existsSync(path.join(f.target, LIBS[1])), false);

  const badLib = f.run(f.versions({ ORT_PROVIDER_CUDA_SHA256: 'f'.repeat(64) }), '--wheel', f.wheel);
  assert.notEqual(badLib.code, 0);
  assert.match(badLib.out, /libonnxruntime_providers_cuda\.so from .*expected f{64}.*refusing/);
  assert.equal(fs.existsSync(path.join(f.target, LIBS[1])), false);
  assert.equal(fs.existsSync(path.join(f.cache, LIBS[1])), false);
});

test('a wheel of another version than onnxruntime-node is refused before anything is fetched', (t) => {
  const f = fixture(t);
  const r = f.run(f.versions({ ORT_GPU_VERSION: '1.0.0' }), '--wheel', f.wheel);
  assert.notEqual(r.code, 0);
  assert.match(
    r.out,
    new RegExp(
      `onnxruntime-node is ${ortNodeVersion.replace(/\./g, '\\.')} but the pinned onnxruntime-gpu is 1\\.0\\.0`,
    ),
  );
});

test('setup.sh runs the GPU step only when asked or where a GPU is visible', () => {
  const setup = fs.readFileSync(path.join(repoRoot, 'infra', 'setup.sh'), 'utf8');
  assert.match(setup, /--gpu\) gpu=yes/);
  assert.match(setup, /\/dev\/nvidia0/);
  assert.match(setup, /bash infra\/setup-gpu\.sh/);
  // The pins the real install checks against are in versions.env.
  const pins = fs.readFileSync(path.join(repoRoot, 'infra', 'versions.env'), 'utf8');
  assert.match(pins, new RegExp(`^ORT_GPU_VERSION=${ortNodeVersion.replace(/\./g, '\\.')}$`, 'm'));
  for (const k of ['ORT_GPU_WHEEL_SHA256', 'ORT_PROVIDER_CUDA_SHA256', 'ORT_PROVIDER_SHARED_SHA256'])
    assert.match(pins, new RegExp(`^${k}=[0-9a-f]{64}$`, 'm'), k);
});
