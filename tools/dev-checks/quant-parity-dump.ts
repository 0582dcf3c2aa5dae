// Step 1 of the INT8 parity fixture (test/fixtures/quantize/ort-minmax-tiny.json): writes the tiny BCCD
// model in deploy form and its calibration tensors (the first 8 BCCD val images letterboxed at 160 px, as
// the quantizer prepares them) to OUT, for tools/dev-checks/quant-parity-fixture.py to calibrate with
// onnxruntime's Python quantizer.
//   npx tsx tools/dev-checks/quant-parity-dump.ts tmp/quant-parity
//   python tools/dev-checks/quant-parity-fixture.py tmp/quant-parity test/fixtures/quantize/ort-minmax-tiny.json

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeModel } from '../../core/onnx/decode';
import { encodeModel } from '../../core/onnx/encode';
import { foldBatchNorm } from '../../core/export/fold-batch-norm';
import { letterboxAll } from '../../runtime/quantize/calibration-set';
import { PARITY_CASE } from '../../test/support/quant-parity-case';

async function main(): Promise<void> {
  const out = process.argv[2] ?? 'tmp/quant-parity';
  mkdirSync(out, { recursive: true });
  const { model } = foldBatchNorm(decodeModel(readFileSync(PARITY_CASE.model)));
  writeFileSync(path.join(out, 'model.onnx'), encodeModel(model));
  const images = await letterboxAll(PARITY_CASE.images(), PARITY_CASE.imgsz);
  images.forEach((im, i) => writeFileSync(path.join(out, `image-${i}.f32`), Buffer.from(im.data.buffer)));
  writeFileSync(
    path.join(out, 'meta.json'),
    JSON.stringify({ images: images.length, imgsz: PARITY_CASE.imgsz }),
  );
}
void main();
