// datasets/hardhat/fetch.sh: the Hard Hat data set is not in the repository; the script fetches the pinned export
// (or takes a local copy, --from), checks every file against the committed manifest and lays it out as a YOLO
// data set with the train / selection / test splits the benchmarks use.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../runtime/paths';

const HARDHAT = path.join(repoRoot, 'datasets', 'hardhat');
const lines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);

test('the committed manifest and split lists: 2,500 training images, valid/ split 613 / 800 with no overlap', () => {
  const manifest = lines(path.join(HARDHAT, 'MANIFEST.sha256')).map((l) => {
    const m = /^([0-9a-f]{64}) {2}(\S+)$/.exec(l);
    assert.ok(m, `not a sha256sum line: ${l}`);
    return m[2]!;
  });
  const images = (split: string) =>
    manifest.filter((p) => p.startsWith(`${split}/images/`)).map((p) => path.basename(p));
  assert.equal(images('train').length, 2500);
  const valid = images('valid');
  assert.equal(valid.length, 1413);
  const listed = new Set(manifest);
  for (const split of ['train', 'valid'])
    for (const f of images(split))
      assert.ok(listed.has(`${split}/labels/${f.replace(/\.[^.]+$/, '')}.txt`), `no label file for ${f}`);
  const selection = lines(path.join(HARDHAT, 'splits', 'selection.txt'));
  const report = lines(path.join(HARDHAT, 'splits', 'test.txt'));
  assert.equal(selection.length, 613);
  assert.equal(report.length, 800);
  assert.deepEqual(
    selection.filter((f) => report.includes(f)),
    [],
  );
  assert.deepEqual([...selection, ...report].sort(), [...valid].sort());
});

/** A stand-in export and a copy of the script whose manifest and split lists describe it. */
function fakeExport(root: string): { script: string; exportDir: string } {
  const exportDir = path.join(root, 'export');
  const files: Record<string, string> = {
    'train/images/a.jpg': 'image a',
    'train/labels/a.txt': '0 0.5 0.5 0.1 0.1\n',
    'train/images/b.jpg': 'image b',
    'train/labels/b.txt': '1 0.5 0.5 0.2 0.2\n',
    'train/images/unlisted.jpg': 'not in the manifest',
    'train/labels/unlisted.txt': '',
    'valid/images/c.jpg': 'image c',
    'valid/labels/c.txt': '2 0.5 0.5 0.3 0.3\n',
    'valid/images/d.jpg': 'image d',
    'valid/labels/d.txt': '',
    'README.dataset.txt': 'the export readme',
  };
  for (const [f, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(exportDir, f)), { recursive: true });
    fs.writeFileSync(path.join(exportDir, f), body);
  }
  const scriptDir = path.join(root, 'hardhat');
  fs.mkdirSync(path.join(scriptDir, 'splits'), { recursive: true });
  fs.copyFileSync(path.join(HARDHAT, 'fetch.sh'), path.join(scriptDir, 'fetch.sh'));
  fs.copyFileSync(path.join(HARDHAT, 'LICENSE'), path.join(scriptDir, 'LICENSE'));
  const listed = Object.keys(files).filter((f) => f.includes('/') && !f.includes('unlisted'));
  const manifest = execFileSync('sha256sum', listed, { cwd: exportDir, encoding: 'utf8' });
  fs.writeFileSync(path.join(scriptDir, 'MANIFEST.sha256'), manifest);
  fs.writeFileSync(path.join(scriptDir, 'splits', 'selection.txt'), 'c.jpg\n');
  fs.writeFileSync(path.join(scriptDir, 'splits', 'test.txt'), 'd.jpg\n');
  return { script: path.join(scriptDir, 'fetch.sh'), exportDir };
}

test('fetch.sh --from a local copy: checked against the manifest, laid out as train / selection / test', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hardhat-fetch-'));
  try {
    const { script, exportDir } = fakeExport(root);
    const out = path.join(root, 'data');
    const ok = spawnSync('bash', [script, '--from', exportDir, '--out', out], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const ls = (d: string) => fs.readdirSync(path.join(out, d)).sort();
    assert.deepEqual(ls('images/train'), ['a.jpg', 'b.jpg'], 'only the manifest’s training images');
    assert.deepEqual(ls('labels/train'), ['a.txt', 'b.txt']);
    assert.deepEqual(ls('images/selection'), ['c.jpg']);
    assert.deepEqual(ls('images/test'), ['d.jpg']);
    assert.equal(fs.readFileSync(path.join(out, 'labels/selection/c.txt'), 'utf8'), '2 0.5 0.5 0.3 0.3\n');
    assert.match(fs.readFileSync(path.join(out, 'LICENSE'), 'utf8'), /Public Domain/);
    assert.match(fs.readFileSync(path.join(out, 'data.yaml'), 'utf8'), /test: images\/test[\s\S]*2: person/);

    // A changed file: refused with its name, and the data set already there is left as it was.
    fs.writeFileSync(path.join(exportDir, 'valid/images/d.jpg'), 'tampered');
    const bad = spawnSync('bash', [script, '--from', exportDir, '--out', out], { encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /valid\/images\/d\.jpg: FAILED/);
    assert.match(bad.stderr, /1 file\(s\) missing or different from the manifest.*nothing was written/);
    assert.deepEqual(ls('images/test'), ['d.jpg']);
    assert.equal(fs.readFileSync(path.join(out, 'images/test/d.jpg'), 'utf8'), 'image d');

    // A missing file, and a folder that is not the export.
    fs.rmSync(path.join(exportDir, 'train/labels/b.txt'));
    fs.writeFileSync(path.join(exportDir, 'valid/images/d.jpg'), 'image d');
    const missing = spawnSync('bash', [script, '--from', exportDir, '--out', out], { encoding: 'utf8' });
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /train\/labels\/b\.txt/);
    const notExport = spawnSync('bash', [script, '--from', root, '--out', out], { encoding: 'utf8' });
    assert.notEqual(notExport.status, 0);
    assert.match(notExport.stderr, /is not the export \(expected train\/ and valid\/ in it\)/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

// The real export, where a copy is at hand (STAGEPRUNE_HARDHAT_EXPORT=DIR): every committed hash matches it.
test(
  'fetch.sh against a local copy of the real export',
  { skip: !process.env.STAGEPRUNE_HARDHAT_EXPORT },
  () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'hardhat-real-'));
    try {
      const r = spawnSync(
        'bash',
        [
          path.join(HARDHAT, 'fetch.sh'),
          '--from',
          process.env.STAGEPRUNE_HARDHAT_EXPORT!,
          '--out',
          path.join(out, 'd'),
        ],
        { encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /train 2500, selection 613, test 800 images/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  },
);
