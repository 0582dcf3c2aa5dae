// The model and images of the INT8 parity fixture, shared by its generator and its test.

import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const bccd = path.join(root, 'datasets/bccd');

export const PARITY_CASE = {
  model: path.join(root, 'models/yolov8n-tiny-bccd.onnx'),
  imgsz: 160,
  fixture: path.join(root, 'test/fixtures/quantize/ort-minmax-tiny.json'),
  images(): string[] {
    const stems = readFileSync(path.join(bccd, 'ImageSets/Main/val.txt'), 'utf8')
      .trim()
      .split(/\s+/)
      .slice(0, 8);
    return stems.map((s) => path.join(bccd, 'JPEGImages', `${s}.jpg`));
  },
};
