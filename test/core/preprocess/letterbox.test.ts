import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  boxToInput,
  boxesToOriginal,
  fromHalfBits,
  letterboxGeometry,
  letterboxInto,
  resizeBilinearRows,
  toHalfBits,
} from '../../../core/preprocess';

test('letterbox geometry follows ultralytics: long side to imgsz with ceil, centred padding', () => {
  assert.deepEqual(letterboxGeometry(640, 480, 640), {
    srcWidth: 640,
    srcHeight: 480,
    width: 640,
    height: 480,
    padLeft: 0,
    padTop: 80,
    size: 640,
    gainX: 1,
    gainY: 1,
  });
  const g = letterboxGeometry(640, 480, 416);
  assert.equal(g.width, 416);
  assert.equal(g.height, 312); // ceil(480 * 0.65)
  assert.equal(g.padTop, 52);
  const odd = letterboxGeometry(333, 500, 320);
  assert.equal(odd.height, 320);
  assert.equal(odd.width, 214); // ceil(213.12)
  assert.equal(odd.padLeft, 53); // dw = 53 -> round(52.9)
});

test('boxes map back to the original image exactly and are clipped to it', () => {
  const g = letterboxGeometry(640, 480, 320);
  const box: [number, number, number, number] = [100, 50, 300, 200];
  const b = new Float32Array([...boxToInput(box, g), -10, -10, 400, 400]);
  boxesToOriginal(b, 2, g);
  assert.deepEqual([...b], [100, 50, 300, 200, 0, 0, 640, 480]);
});

test('letterboxed tensor: planar RGB / 255 with gray 114 padding', () => {
  const w = 4;
  const h = 2;
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) rgb.set([255, 0, 51], i * 3);
  const g = letterboxGeometry(w, h, 4);
  const out = new Float32Array(3 * 16);
  letterboxInto(rgb, g, out, 0);
  const pad = Math.fround(114 / 255);
  assert.equal(g.padTop, 1);
  assert.deepEqual([...out.subarray(0, 4)], [pad, pad, pad, pad]);
  assert.deepEqual([...out.subarray(4, 8)], [1, 1, 1, 1]); // R plane, first image row
  assert.deepEqual([...out.subarray(16 + 4, 16 + 8)], [0, 0, 0, 0]); // G
  assert.deepEqual([...out.subarray(32 + 4, 32 + 8)], [0.2, 0.2, 0.2, 0.2].map(Math.fround)); // B
  assert.deepEqual([...out.subarray(12, 16)], [pad, pad, pad, pad]);
});

test('bilinear resize: constant images stay constant, 2x reduction averages blocks', () => {
  const src = new Uint8Array(10 * 7 * 3).fill(77);
  let rows = 0;
  resizeBilinearRows(src, 10, 7, 3, 6, 4, (row) => {
    rows++;
    assert.ok(row.every((v) => v === 77));
  });
  assert.equal(rows, 4);
  const block = new Uint8Array([0, 10, 20, 31]); // 2x2, one channel
  resizeBilinearRows(block, 2, 2, 1, 1, 1, (row) => assert.equal(row[0], 15)); // (61 + 2) >> 2
});

test('float16 conversion round-trips representable values and rounds to nearest even', () => {
  for (const v of [0, 1, -2, 0.5, 65504, 114 / 255, 6.1e-5])
    assert.ok(Math.abs(fromHalfBits(toHalfBits(v)) - v) <= Math.abs(v) * 2 ** -11);
  assert.equal(toHalfBits(1 + 2 ** -11), toHalfBits(1)); // tie to even
  assert.equal(fromHalfBits(toHalfBits(1e6)), Infinity);
});
