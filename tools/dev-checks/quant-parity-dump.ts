// Writes a model in deploy form and its calibration tensors (letterboxed as the quantizer prepares them) to
// OUT, for onnxruntime's Python quantizer to work on the same inputs as ours:
// - the INT8 parity fixture (test/fixtures/quantize/ort-minmax-tiny.json; defaults: the tiny BCCD model,
//   the first 8 BCCD val images at 160 px):
//     npx tsx tools/dev-checks/quant-parity-dump.ts tmp/quant-parity
//     python tools/dev-checks/quant-parity-fixture.py tmp/quant-parity test/fixtures/quantize/ort-minmax-tiny.json
// - onnxruntime's quantize_static side by side (docs/BENCHMARKS.md, INT8):
//     npx tsx tools/dev-checks/quant-parity-dump.ts tmp/ort-q --model models/yolov8n-bccd.onnx --imgsz 416 --images 64
//     python tools/dev-checks/ort-quantize-static.py tmp/ort-q tmp/ort-q/int8.onnx [--exclude-decode]

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decodeModel } from '../../core/onnx/decode';
import { encodeModel } from '../../core/onnx/encode';
import { foldBatchNorm } from '../../core/export/fold-batch-norm';
import { decodePathNodes } from '../../core/quantize';
import { bccdRoot, loadDataset } from '../../runtime/datasets';
import { letterboxAll } from '../../runtime/quantize/calibration-set';
import { PARITY_CASE } from '../../test/support/quant-parity-case';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      imgsz: { type: 'string' },
      images: { type: 'string' },
      data: { type: 'string' },
      split: { type: 'string' },
    },
  });
  const out = positionals[0] ?? 'tmp/quant-parity';
  mkdirSync(out, { recursive: true });
  const { model } = foldBatchNorm(decodeModel(readFileSync(values.model ?? PARITY_CASE.model)));
  writeFileSync(path.join(out, 'model.onnx'), encodeModel(model));
  const imgsz = Number(values.imgsz ?? PARITY_CASE.imgsz);
  let files = PARITY_CASE.images();
  if (values.model) {
    const loaded = await loadDataset(values.data ?? bccdRoot(), {
      split: values.split ?? 'val',
      policy: 'skip',
      limit: Number(values.images ?? 64),
    });
    files = loaded.dataset.images.map((im) => loaded.resolveImage(im.file));
  }
  const images = await letterboxAll(files, imgsz);
  images.forEach((im, i) => writeFileSync(path.join(out, `image-${i}.f32`), Buffer.from(im.data.buffer)));
  const decode = [...decodePathNodes(model.graph)];
  writeFileSync(path.join(out, 'meta.json'), JSON.stringify({ images: images.length, imgsz, decode }));
}
void main();
