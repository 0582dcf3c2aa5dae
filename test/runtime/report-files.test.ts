import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { seriesColor } from '../../core/report';
import { ReportError } from '../../runtime/report/errors';
import { drawDetectionPanel } from '../../runtime/report/detection-panel';
import { fetchRunReport } from '../../runtime/report/fetch-report';
import { browserOpener, openInBrowser } from '../../runtime/report/open-in-browser';
import { MemoryStore } from '../support/memory-store';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'stageprune-report-files-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const text = (s: string) => new TextEncoder().encode(s);

test('report fetch: the files the manifest lists, index.html = report.html, nothing else', async () => {
  const store = new MemoryStore('b');
  await store.putObject('runs/r1/report.html', text('<!doctype html><p>r1'));
  await store.putObject('runs/r1/report.md', text('# r1'));
  await store.putObject('runs/r1/detections/01-a-truth.jpg', text('jpg'));
  await store.putObject('runs/r1/unlisted.txt', text('not part of the report'));
  await store.putJson('runs/r1/manifest.json', {
    run_id: 'r1',
    files: ['report.html', 'report.md', 'detections/01-a-truth.jpg'],
  });
  const dir = path.join(tmp, 'r1');
  const got = await fetchRunReport(store, 'r1', dir);
  assert.equal(got.index, path.join(dir, 'index.html'));
  assert.equal(readFileSync(got.index, 'utf8'), '<!doctype html><p>r1');
  assert.equal(readFileSync(path.join(dir, 'detections', '01-a-truth.jpg'), 'utf8'), 'jpg');
  assert.ok(existsSync(path.join(dir, 'manifest.json')));
  assert.ok(!existsSync(path.join(dir, 'unlisted.txt')));
  assert.deepEqual(got.files.sort(), [
    'detections/01-a-truth.jpg',
    'manifest.json',
    'report.html',
    'report.md',
  ]);
});

test('report fetch: an older manifest without a file list takes the whole run folder', async () => {
  const store = new MemoryStore('b');
  await store.putObject('runs/old/report.html', text('old'));
  await store.putObject('runs/old/ratios.svg', text('<svg/>'));
  await store.putJson('runs/old/manifest.json', { run_id: 'old' });
  const got = await fetchRunReport(store, 'old', path.join(tmp, 'old'));
  assert.deepEqual(got.files.sort(), ['manifest.json', 'ratios.svg', 'report.html']);
});

test('report fetch: typed errors for an unknown run, a run without HTML and a manifest reaching outside', async () => {
  const store = new MemoryStore('b');
  const code = (c: string) => (e: unknown) => e instanceof ReportError && e.code === c;
  await assert.rejects(fetchRunReport(store, 'nope', path.join(tmp, 'nope')), code('REPORT_NOT_FOUND'));
  await store.putObject('runs/md/report.md', text('# md'));
  await store.putJson('runs/md/manifest.json', { files: ['report.md'] });
  await assert.rejects(fetchRunReport(store, 'md', path.join(tmp, 'md')), code('REPORT_HTML_MISSING'));
  for (const bad of ['../escape.html', '/etc/passwd', 'a/../../b', 'a\\b', '']) {
    await store.putJson('runs/evil/manifest.json', { files: ['report.html', bad] });
    await assert.rejects(
      fetchRunReport(store, 'evil', path.join(tmp, 'evil')),
      code('REPORT_FILE_UNSAFE'),
      bad,
    );
  }
  assert.ok(!existsSync(path.join(tmp, 'escape.html')));
});

test('--open: xdg-open from PATH gets the page; without one, a typed REPORT_NO_BROWSER', async () => {
  const bin = path.join(tmp, 'bin');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(bin, { recursive: true });
  const seen = path.join(tmp, 'opened.txt');
  writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${seen}'\n`);
  chmodSync(path.join(bin, 'xdg-open'), 0o755);
  const env = { ...process.env, PATH: `${bin}${path.delimiter}/nonexistent` };
  assert.equal(browserOpener(env, 'linux'), path.join(bin, 'xdg-open'));
  openInBrowser('/some/index.html', env);
  for (let i = 0; i < 100 && !existsSync(seen); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(readFileSync(seen, 'utf8'), '/some/index.html');
  assert.throws(
    () => openInBrowser('/some/index.html', { PATH: '/nonexistent' }),
    (e: unknown) => e instanceof ReportError && e.code === 'REPORT_NO_BROWSER' && !e.message.includes('\n'),
  );
});

test('detection panel: the picture scaled to fit, each box drawn in its class colour', async () => {
  // A 400×200 grey image with one class-1 box; the panel's long side becomes 200 px (scale 0.5).
  const data = new Uint8Array(400 * 200 * 3).fill(128);
  const jpg = await drawDetectionPanel(
    { data, width: 400, height: 200 },
    [{ classId: 1, x1: 100, y1: 60, x2: 300, y2: 180, score: 0.9 }],
    { classNames: ['a', 'b'], maxSide: 200, quality: 95 },
  );
  const { data: px, info } = await sharp(jpg).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [100 * 2, 100]);
  const at = (x: number, y: number) => [
    ...px.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3),
  ];
  const want = seriesColor(1)
    .match(/\w\w/g)!
    .map((h) => parseInt(h, 16));
  const close = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) < 40);
  assert.ok(close(at(50, 60), want), `left edge of the box: ${at(50, 60)} vs ${want}`);
  assert.ok(close(at(100, 89), want), `bottom edge of the box: ${at(100, 89)} vs ${want}`);
  assert.ok(close(at(100, 60), [128, 128, 128]), 'inside the box the image shows through');
  assert.ok(close(at(10, 10), [128, 128, 128]), 'outside the box the image is untouched');
});
