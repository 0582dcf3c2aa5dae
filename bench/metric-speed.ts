/**
 * COCO metric time and parity vs pycocotools on the same detections (BCCD ground truth):
 *  - synthetic detections (jittered ground truth, false positives; see test/support), and
 *  - a model's detections from `evaluateModel` (default: untrained yolov8n nc=3 built by core/yolo).
 * Our time is the median of --runs evaluateCoco calls; pycocotools' is evaluate + accumulate + summarize
 * (JSON loading excluded), median of --py-runs runs.
 *
 *   npx tsx bench/metric-speed.ts [--model FILE] [--split test] [--runs 10] [--py-runs 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { DatasetImage } from '../core/datasets';
import { evaluateCoco } from '../core/metrics';
import type { Detections } from '../core/postprocess';
import { buildYoloV8, yolov8Spec } from '../core/yolo';
import { bccdRoot, loadDataset } from '../runtime/datasets';
import { evaluateModel } from '../runtime/evaluate';
import { summarizeSamples } from '../runtime/latency';
import { writeModelFile } from '../runtime/onnx-file';
import { runPycocotools } from '../test/support/pycocotools';
import { syntheticDetections } from '../test/support/synthetic-detections';

const NAMES = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'];

function compare(
  label: string,
  images: readonly DatasetImage[],
  classNames: readonly string[],
  dets: Detections[],
  runs: number,
  pyRuns: number,
) {
  const times: number[] = [];
  let ours = evaluateCoco(images, dets, classNames.length);
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    ours = evaluateCoco(images, dets, classNames.length);
    times.push(performance.now() - t0);
  }
  const py = Array.from({ length: pyRuns }, () => runPycocotools(images, classNames, dets));
  const ref = py[0]!;
  const diff: Record<string, number> = {};
  ref.stats.forEach((v, i) => (diff[NAMES[i]!] = Math.abs(ours.stats[i]! - v)));
  classNames.forEach(
    (n, k) => (diff[`AP[${n}]`] = Math.abs((ours.perClassAp[k] ?? -1) - (ref.per_class_ap[k] ?? -1))),
  );
  const oursMs = summarizeSamples(times).median;
  const pyMs = summarizeSamples(py.map((p) => p.seconds * 1000)).median;
  console.log(
    JSON.stringify({
      detections: label,
      images: images.length,
      n_detections: dets.reduce((n, d) => n + d.count, 0),
      map50_95: ours.map50_95,
      map50: ours.map50,
      max_abs_diff: Math.max(...Object.values(diff)),
      abs_diff: diff,
      ours_ms: +oursMs.toFixed(2),
      ours_min_ms: +Math.min(...times).toFixed(2),
      pycocotools_ms: +pyMs.toFixed(2),
      pycocotools_min_ms: +Math.min(...py.map((p) => p.seconds * 1000)).toFixed(2),
      speedup: +(pyMs / oursMs).toFixed(2),
    }),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      split: { type: 'string', default: 'test' },
      data: { type: 'string', default: bccdRoot() },
      runs: { type: 'string', default: '10' },
      'py-runs': { type: 'string', default: '3' },
    },
  });
  const runs = Number(values.runs);
  const pyRuns = Number(values['py-runs']);
  const { dataset } = await loadDataset(values.data, { split: values.split, policy: 'skip' });
  compare(
    'synthetic',
    dataset.images,
    dataset.classNames,
    syntheticDetections(dataset.images, dataset.classNames.length, 1),
    runs,
    pyRuns,
  );

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'stageprune-bench-'));
  try {
    let model = values.model;
    if (!model) {
      model = path.join(tmp, 'yolov8n-nc3.onnx');
      writeModelFile(model, buildYoloV8(yolov8Spec('n', { nc: 3 })));
    }
    const r = await evaluateModel({ model, data: values.data, split: values.split });
    compare(path.basename(model), r.evaluatedImages, r.classNames, r.detections, runs, pyRuns);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
