import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDetections, DetectionDecoder } from '../../../core/postprocess';
import { rng } from '../../support/synthetic-detections';

/** Straightforward reference: every (box, class) above conf, full sort, per-class greedy NMS, first maxDet. */
function reference(out: Float32Array, nc: number, n: number, conf: number, iouThr: number, maxDet: number) {
  const cands: { a: number; c: number; s: number; box: number[] }[] = [];
  for (let a = 0; a < n; a++) {
    const [cx, cy, w, h] = [0, 1, 2, 3].map((k) => out[k * n + a]!);
    const box = [cx! - w! / 2, cy! - h! / 2, cx! + w! / 2, cy! + h! / 2];
    for (let c = 0; c < nc; c++) {
      const s = out[(4 + c) * n + a]!;
      if (s > conf) cands.push({ a, c, s, box });
    }
  }
  cands.sort((x, y) => y.s - x.s);
  const iou = (p: number[], q: number[]) => {
    const iw = Math.max(0, Math.min(p[2]!, q[2]!) - Math.max(p[0]!, q[0]!));
    const ih = Math.max(0, Math.min(p[3]!, q[3]!) - Math.max(p[1]!, q[1]!));
    const i = iw * ih;
    return i / ((p[2]! - p[0]!) * (p[3]! - p[1]!) + (q[2]! - q[0]!) * (q[3]! - q[1]!) - i);
  };
  const kept: typeof cands = [];
  for (const c of cands) if (!kept.some((k) => k.c === c.c && iou(k.box, c.box) > iouThr)) kept.push(c);
  return kept.slice(0, maxDet);
}

function randomOutput(seed: number, nc: number, n: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array((4 + nc) * n);
  for (let a = 0; a < n; a++) {
    // Clustered boxes so that NMS has overlaps to resolve.
    const cluster = Math.floor(r() * 12);
    out[a] = 50 + cluster * 40 + r() * 20;
    out[n + a] = 60 + (cluster % 4) * 50 + r() * 20;
    out[2 * n + a] = 20 + r() * 40;
    out[3 * n + a] = 20 + r() * 40;
    for (let c = 0; c < nc; c++) out[(4 + c) * n + a] = r() < 0.5 ? r() * 0.002 : r();
  }
  return out;
}

test('decoder equals a brute-force class-aware multi-label NMS', () => {
  for (const [seed, nc, n, maxDet] of [
    [1, 3, 500, 300],
    [2, 5, 800, 300],
    [3, 1, 400, 300],
    [4, 3, 2000, 50],
  ] as const) {
    const out = randomOutput(seed, nc, n);
    const dec = new DetectionDecoder(nc, n, { maxDetections: maxDet });
    const d = createDetections(maxDet);
    dec.decode(out, 0, d);
    const ref = reference(out, nc, n, 0.001, 0.7, maxDet);
    assert.equal(d.count, ref.length, `seed ${seed}`);
    for (let i = 0; i < d.count; i++) {
      assert.equal(d.classIds[i], ref[i]!.c);
      assert.equal(d.scores[i], ref[i]!.s);
      for (let k = 0; k < 4; k++) assert.ok(Math.abs(d.boxes[4 * i + k]! - ref[i]!.box[k]!) < 1e-3);
    }
  }
});

test('one box can be kept for several classes; overlap suppresses only within a class', () => {
  const n = 3;
  const nc = 2;
  const out = new Float32Array((4 + nc) * n);
  const set = (a: number, box: number[], s0: number, s1: number) => {
    box.forEach((v, k) => (out[k * n + a] = v));
    out[4 * n + a] = s0;
    out[5 * n + a] = s1;
  };
  set(0, [100, 100, 50, 50], 0.9, 0.8);
  set(1, [102, 100, 50, 50], 0.7, 0); // same class 0, IoU ≈ 0.92: suppressed
  set(2, [100, 100, 50, 50], 0.001, 0.0011); // class 0 exactly at conf: dropped (strict >); class 1 above conf but overlaps
  const d = createDetections(300);
  new DetectionDecoder(nc, n).decode(out, 0, d);
  assert.equal(d.count, 2);
  assert.deepEqual([...d.classIds.subarray(0, 2)], [0, 1]);
  assert.deepEqual([...d.boxes.subarray(0, 4)], [75, 75, 125, 125]);
  const single = createDetections(300);
  new DetectionDecoder(nc, n, { singleLabel: true }).decode(out, 0, single);
  assert.equal(single.count, 2); // anchor 0 as class 0, anchor 2 as class 1
});

test('images of a batch are decoded independently; a short output is an error', () => {
  const nc = 2;
  const n = 300;
  const a = randomOutput(5, nc, n);
  const b = randomOutput(6, nc, n);
  const batch = new Float32Array(a.length * 2);
  batch.set(a);
  batch.set(b, a.length);
  const dec = new DetectionDecoder(nc, n);
  const d1 = createDetections(300);
  const d2 = createDetections(300);
  dec.decode(batch, 1, d1);
  dec.decode(b, 0, d2);
  assert.deepEqual(d1, d2);
  assert.throws(() => dec.decode(a, 1, d1), /POSTPROCESS|values/);
});
