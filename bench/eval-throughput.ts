/**
 * Evaluation overhead: end-to-end images/s of `evaluateModel` on a BCCD split vs onnxruntime's raw
 * inference throughput on the same batches (tensors prepared beforehand, only `session.run` timed).
 *
 *   npx tsx bench/eval-throughput.ts [--model FILE] [--batch 1] [--threads 2] [--imgsz 640] [--split test] [--repeat 2]
 *
 * Without --model it builds yolov8n (nc=3, untrained, batch fixed at 1) with core/yolo.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { letterboxGeometry, letterboxInto } from '../core/preprocess';
import { buildYoloV8, yolov8Spec } from '../core/yolo';
import { bccdRoot, loadDataset } from '../runtime/datasets';
import { evaluateModel } from '../runtime/evaluate';
import { InputCache } from '../runtime/input-cache';
import { decodeImageFile } from '../runtime/images';
import { openDetector, type SessionConfig } from '../runtime/inference';
import { writeModelFile } from '../runtime/onnx-file';

async function rawInference(
  model: string,
  session: SessionConfig,
  data: string,
  split: string,
  imgsz: number,
  batch: number,
) {
  const loaded = await loadDataset(data, { split, policy: 'skip' });
  const images = loaded.dataset.images;
  const detector = await openDetector(model, session);
  const runBatch = detector.fixedBatch ?? batch;
  const tensors: { t: Float32Array; n: number }[] = [];
  // Sequential (not overlapped) decode and letterbox costs, for the breakdown.
  let decodeMs = 0;
  let letterboxMs = 0;
  for (let s = 0; s < images.length; s += runBatch) {
    const t = new Float32Array(runBatch * 3 * imgsz * imgsz);
    const slice = images.slice(s, s + runBatch);
    for (let b = 0; b < slice.length; b++) {
      const t0 = performance.now();
      const img = await decodeImageFile(loaded.resolveImage(slice[b]!.file));
      const t1 = performance.now();
      letterboxInto(img.data, letterboxGeometry(img.width, img.height, imgsz), t, b * 3 * imgsz * imgsz);
      decodeMs += t1 - t0;
      letterboxMs += performance.now() - t1;
    }
    tensors.push({
      t: detector.fixedBatch ? t : t.subarray(0, slice.length * 3 * imgsz * imgsz),
      n: detector.fixedBatch ?? slice.length,
    });
  }
  await detector.run(tensors[0]!.t, tensors[0]!.n, imgsz); // warm-up, as evaluateModel({warmup: true}) does
  const t0 = performance.now();
  for (const { t, n } of tensors) await detector.run(t, n, imgsz);
  const ms = performance.now() - t0;
  await detector.release();
  return { images: images.length, ms, decodeMs, letterboxMs };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      batch: { type: 'string', default: '1' },
      threads: { type: 'string', default: '2' },
      imgsz: { type: 'string', default: '640' },
      split: { type: 'string', default: 'test' },
      data: { type: 'string', default: bccdRoot() },
      repeat: { type: 'string', default: '2' },
    },
  });
  const imgsz = Number(values.imgsz);
  const batch = Number(values.batch);
  let model = values.model;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'stageprune-bench-'));
  try {
    if (!model) {
      model = path.join(tmp, 'yolov8n-nc3.onnx');
      writeModelFile(model, buildYoloV8(yolov8Spec('n', { nc: 3, imgsz })));
    }
    const session: SessionConfig = {
      ep: 'cpu',
      intraOpThreads: Number(values.threads),
      graphOptimizationLevel: 'all',
    };
    for (let rep = 0; rep < Number(values.repeat); rep++) {
      // Alternate the two measurements so drift in machine load hits both.
      const raw = await rawInference(model, session, values.data, values.split, imgsz, batch);
      const r = await evaluateModel({
        model,
        data: values.data,
        split: values.split,
        imgsz,
        batch,
        session,
        warmup: true,
      });
      const t = r.timings;
      // Second and later evaluations of a scan reuse letterboxed inputs (the first run fills the cache).
      const cache = new InputCache();
      await evaluateModel({ model, data: values.data, split: values.split, imgsz, batch, session, cache });
      const c = await evaluateModel({
        model,
        data: values.data,
        split: values.split,
        imgsz,
        batch,
        session,
        warmup: true,
        cache,
      });
      console.log(
        JSON.stringify({
          model: path.basename(model),
          batch: r.batch,
          threads: session.intraOpThreads,
          images: r.images,
          raw_inference_ips: +((raw.images * 1000) / raw.ms).toFixed(3),
          e2e_loop_ips: +((r.images * 1000) / t.loopMs).toFixed(3),
          e2e_total_ips: +r.imagesPerS.toFixed(3),
          seq_decode_ms_per_image: +(raw.decodeMs / raw.images).toFixed(2),
          seq_letterbox_ms_per_image: +(raw.letterboxMs / raw.images).toFixed(2),
          raw_inference_ms_per_image: +(raw.ms / raw.images).toFixed(2),
          postprocess_ms_per_image: +(t.postprocessMs / r.images).toFixed(2),
          loop_overhead_vs_raw: +(t.loopMs / raw.ms - 1).toFixed(4),
          inference_in_loop_ms: +t.inferenceMs.toFixed(1),
          letterbox_ms: +t.letterboxMs.toFixed(1),
          postprocess_ms: +t.postprocessMs.toFixed(1),
          metrics_ms: +t.metricsMs.toFixed(1),
          setup_ms: +t.setupMs.toFixed(1),
          // Everything in the loop that is not session.run: decode waits, letterbox, NMS, mapping.
          loop_non_inference_vs_inference: +((t.loopMs - t.inferenceMs) / t.inferenceMs).toFixed(4),
          cached_loop_ips: +((c.images * 1000) / c.timings.loopMs).toFixed(3),
          cached_loop_non_inference_vs_inference: +(
            (c.timings.loopMs - c.timings.inferenceMs) /
            c.timings.inferenceMs
          ).toFixed(4),
          detections: r.detections.reduce((n, d) => n + d.count, 0),
        }),
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
