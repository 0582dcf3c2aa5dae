import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { providerAvailability } from '../../runtime/inference';
import { repoRoot } from '../../runtime/paths';
import { main } from '../../cli/main';
import { makeDetector } from '../support/detector-models';
import { tinyVoc } from '../support/tiny-voc';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/stageprune.cjs'), ...args], {
    encoding: 'utf8',
    cwd: repoRoot,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('eval --json prints exactly the documented keys; bench --json its latency figures', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stageprune-cli-'));
  const root = tinyVoc(['BloodImage_00000', 'BloodImage_00001']);
  try {
    const model = makeDetector(path.join(dir, 'm.onnx'), {
      imgsz: 320,
      nc: 2,
      boxes: [[160, 160, 40, 40, 0, 0.5]],
    });
    const r = cli([
      'eval',
      model,
      '--data',
      root,
      '--split',
      'test',
      '--imgsz',
      '320',
      '--batch',
      '2',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), [
      'map50_95',
      'map50',
      'map75',
      'per_class',
      'images',
      'skipped_labels',
      'seconds',
      'images_per_s',
    ]);
    assert.deepEqual(Object.keys(out.per_class), ['RBC', 'WBC']);
    assert.equal(out.images, 2);
    assert.equal(out.skipped_labels, 0);
    const human = cli(['eval', model, '--data', root, '--imgsz', '320']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /AP50-95/);

    const b = cli([
      'bench',
      model,
      '--imgsz',
      '320',
      '--batch',
      '2',
      '--runs',
      '3',
      '--warmup',
      '1',
      '--threads',
      '1',
      '--json',
    ]);
    assert.equal(b.code, 0, b.stderr);
    const bench = JSON.parse(b.stdout);
    assert.deepEqual(Object.keys(bench), ['latency_ms', 'throughput_ips', 'flops', 'params']);
    assert.ok(bench.latency_ms.median > 0 && bench.latency_ms.p90 >= bench.latency_ms.median);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  }
});

/** Runs the CLI in-process (no process start-up per case), capturing what it prints. */
async function cliInProcess(t: TestContext, args: string[]) {
  const err: string[] = [];
  const out: string[] = [];
  t.mock.method(console, 'error', (...a: unknown[]) => void err.push(a.join(' ')));
  t.mock.method(console, 'log', (...a: unknown[]) => void out.push(a.join(' ')));
  const code = await main(args);
  t.mock.restoreAll();
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

test('bad flags and unavailable providers are one-line errors with exit code 1', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stageprune-cli-'));
  try {
    const model = makeDetector(path.join(dir, 'm.onnx'), { imgsz: 64, nc: 2 });
    const badEp = await cliInProcess(t, ['eval', model, '--ep', 'tpu']);
    assert.equal(badEp.code, 1);
    assert.match(badEp.stderr, /CLI_USAGE: --ep/);
    const badBatch = await cliInProcess(t, ['bench', model, '--batch', '0']);
    assert.match(badBatch.stderr, /--batch: batch must be a positive integer/);
    const policy = await cliInProcess(t, ['eval', model, '--on-bad-label', 'maybe']);
    assert.match(policy.stderr, /--on-bad-label/);
    const missing = await cliInProcess(t, ['eval', path.join(dir, 'none.onnx')]);
    assert.match(missing.stderr, /MODEL_NOT_FOUND: .*none\.onnx/);
    const data = await cliInProcess(t, ['eval', model, '--data', path.join(dir, 'nodata'), '--imgsz', '64']);
    assert.match(data.stderr, /DATASET_NOT_FOUND/);
    const twoModels = await cliInProcess(t, ['bench', model, model]);
    assert.match(twoModels.stderr, /expected one MODEL/);
    if (!providerAvailability('cuda').available) {
      const cuda = await cliInProcess(t, ['bench', model, '--ep', 'cuda', '--runs', '1']);
      assert.equal(cuda.code, 1);
      assert.match(cuda.stderr, /EP_UNAVAILABLE/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
