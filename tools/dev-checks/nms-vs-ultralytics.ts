/**
 * DEV-ONLY check: our decoder + NMS vs ultralytics' non_max_suppression on the same raw outputs of a
 * detector on BCCD images, or (without MODEL) on synthetic outputs: clustered boxes with random scores,
 * which unlike an untrained model's (a handful of distinct score values) have no ties that make the
 * kept set depend on sort order. Needs the dev venv with ultralytics (AGPL; never a product or CI dependency).
 *
 *   npx tsx tools/dev-checks/nms-vs-ultralytics.ts [MODEL] [--count 8] [--python /tmp/devref/venv/bin/python]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { letterboxGeometry, letterboxInto } from '../../core/preprocess';
import { createDetections, DetectionDecoder } from '../../core/postprocess';
import { bccdRoot, loadDataset } from '../../runtime/datasets';
import { decodeImageFile } from '../../runtime/images';
import { openDetector } from '../../runtime/inference';
import { rng } from '../../test/support/synthetic-detections';

/** Raw [4 + nc, n] output: boxes in 40 clusters (overlaps for NMS), scores uniform, half below conf. */
function syntheticOutput(seed: number, nc: number, n: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array((4 + nc) * n);
  for (let a = 0; a < n; a++) {
    const cluster = Math.floor(r() * 40);
    out[a] = 40 + (cluster % 8) * 70 + r() * 30;
    out[n + a] = 80 + Math.floor(cluster / 8) * 90 + r() * 30;
    out[2 * n + a] = 15 + r() * 60;
    out[3 * n + a] = 15 + r() * 60;
    for (let c = 0; c < nc; c++) out[(4 + c) * n + a] = r() < 0.5 ? r() * 0.002 : r();
  }
  return out;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      python: { type: 'string', default: '/tmp/devref/venv/bin/python' },
      count: { type: 'string', default: '8' },
    },
  });
  const model = positionals[0];
  const count = Number(values.count);
  const loaded = await loadDataset(bccdRoot(), { split: 'test', policy: 'skip' });
  const images = loaded.dataset.images.slice(0, count);
  const det = model ? await openDetector(model, { ep: 'cpu' }) : null;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ul-nms-'));
  try {
    const outputs: Float32Array[] = [];
    let shape: number[] = [];
    if (!det) {
      shape = [4 + 3, 8400];
      for (let i = 0; i < count; i++) {
        const out = syntheticOutput(i + 1, 3, 8400);
        outputs.push(out);
        writeFileSync(path.join(tmp, `${i}.bin`), out);
      }
    }
    for (const [i, im] of det ? images.entries() : []) {
      const img = await decodeImageFile(loaded.resolveImage(im.file));
      const input = new Float32Array(3 * 640 * 640);
      letterboxInto(img.data, letterboxGeometry(img.width, img.height, 640), input, 0);
      const { data, dims } = await det!.run(input, 1, 640);
      shape = [dims[1]!, dims[2]!];
      outputs.push(data.slice());
      writeFileSync(path.join(tmp, `${i}.bin`), data);
    }
    writeFileSync(path.join(tmp, 'shape.json'), JSON.stringify([...shape, outputs.length]));
    execFileSync(values.python!, [path.join(__dirname, 'ultralytics-nms.py'), tmp], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const decoder = new DetectionDecoder(shape[0]! - 4, shape[1]!);
    const d = createDetections(300);
    let sameCount = 0;
    let maxBox = 0;
    let maxScore = 0;
    let classMismatch = 0;
    let setMismatch = 0;
    for (let i = 0; i < outputs.length; i++) {
      decoder.decode(outputs[i]!, 0, d);
      const ref = JSON.parse(readFileSync(path.join(tmp, `${i}.json`), 'utf8')) as number[][];
      if (ref.length === d.count) sameCount++;
      // Compare as sets keyed by rounded box + class (order differs only among tied scores).
      const key = (b: number[], c: number) => `${b.map((v) => v.toFixed(2)).join(',')}:${c}`;
      const ours = new Map<string, number>();
      for (let j = 0; j < d.count; j++)
        ours.set(key([...d.boxes.subarray(4 * j, 4 * j + 4)], d.classIds[j]!), d.scores[j]!);
      for (const r of ref) {
        const s = ours.get(key(r.slice(0, 4), r[5]!));
        if (s === undefined) setMismatch++;
        else maxScore = Math.max(maxScore, Math.abs(s - r[4]!));
      }
      for (let j = 0; j < Math.min(d.count, ref.length); j++) {
        for (let k = 0; k < 4; k++) maxBox = Math.max(maxBox, Math.abs(d.boxes[4 * j + k]! - ref[j]![k]!));
        if (d.classIds[j] !== ref[j]![5]) classMismatch++;
      }
    }
    console.log(
      JSON.stringify({
        model: model ? path.basename(model) : 'synthetic outputs',
        images: outputs.length,
        same_count: sameCount,
        ref_detections_not_in_ours: setMismatch,
        max_score_diff_matched: maxScore,
        in_order_max_box_diff: maxBox,
        in_order_class_mismatch: classMismatch,
      }),
    );
  } finally {
    await det?.release();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
