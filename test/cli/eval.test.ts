import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { providerAvailability } from '../../runtime/inference';
import { repoRoot } from '../../runtime/paths';
import { main } from '../../cli/main';
import { createDetections } from '../../core/postprocess';
import { loadDataset } from '../../runtime/datasets';
import { makeDetector } from '../support/detector-models';
import { runPycocotools } from '../support/pycocotools';
import { tinyVoc } from '../support/tiny-voc';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/stageprune.cjs'), ...args], {
    encoding: 'utf8',
    cwd: repoRoot,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Where a box of a 640×480 image lands in the 320×320 letterbox, by hand: scale 0.5 (the long side to 320),
 * 320×240, centred with 40 px of padding above and below. Independent of core/preprocess on purpose.
 */
const toLetterbox320 = (b: { x1: number; y1: number; x2: number; y2: number }) => ({
  cx: ((b.x1 + b.x2) / 2) * 0.5,
  cy: ((b.y1 + b.y2) / 2) * 0.5 + 40,
  w: (b.x2 - b.x1) * 0.5,
  h: (b.y2 - b.y1) * 0.5,
});

test('eval --json reports the mAP pycocotools gives the one-box model; bench --json its latency figures', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stageprune-cli-'));
  const root = tinyVoc(['BloodImage_00000', 'BloodImage_00001']);
  try {
    // One constant box, exactly on the first ground-truth box of BloodImage_00000 (class RBC, score 0.5):
    // a true positive there, and the same box, a miss or a poor match, on BloodImage_00001.
    const { dataset } = await loadDataset(root, { split: 'test', policy: 'fail' });
    assert.deepEqual(dataset.classNames, ['RBC', 'WBC']);
    for (const im of dataset.images) assert.deepEqual([im.width, im.height], [640, 480]);
    const target = dataset.images[0]!.boxes.find((b) => b.classId === 0)!;
    const lb = toLetterbox320(target);
    const model = makeDetector(path.join(dir, 'm.onnx'), {
      imgsz: 320,
      nc: 2,
      boxes: [[lb.cx, lb.cy, lb.w, lb.h, 0, 0.5]],
    });
    // The reference: pycocotools on the ground truth and that box in each image's own pixels.
    const dets = dataset.images.map(() => {
      const d = createDetections(1);
      d.boxes.set([target.x1, target.y1, target.x2, target.y2]);
      d.scores.set([0.5]);
      d.classIds.set([0]);
      d.count = 1;
      return d;
    });
    const reference = runPycocotools(dataset.images, dataset.classNames, dets);
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
    const [map50_95, map50, map75] = reference.stats;
    assert.ok(map50! > 0 && map50! < 1, `a non-trivial reference mAP50: ${map50}`);
    const close = (a: number, b: number, what: string) =>
      assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a} vs pycocotools ${b}`);
    close(out.map50_95, map50_95!, 'mAP50-95');
    close(out.map50, map50!, 'mAP50');
    close(out.map75, map75!, 'mAP75');
    close(out.per_class.RBC, reference.per_class_ap[0]!, 'AP RBC');
    close(out.per_class.WBC, reference.per_class_ap[1]!, 'AP WBC');
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
