import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeModel, metadataValue } from '../../core/onnx';
import { pythonNamesDict } from '../../core/yolo';
import { readTaylorScores } from '../../runtime/pruning/taylor-scores';
import { runTrainer, writeTrainerJob, type ProgressEvent, type TrainerEvent } from '../../runtime/trainer-process';
import { bccdNames, bccdRoot, tempDir, tinyJob, tinyModel, trainerSkipReason } from './tiny-fixtures';

const skip = trainerSkipReason();

test('loss decreases on a fixed batch and weights are written back into the same graph', { skip, timeout: 120_000 }, async () => {
  const dir = tempDir('train');
  const model = tinyModel(dir);
  const jobFile = await writeTrainerJob(path.join(dir, 'job.json'), tinyJob(dir, model, { epochs: 12, imgsz: 96, optimizer: { warmup_epochs: 0, nbs: 4, lr0: 0.02 }, taylor: { out: path.join(dir, 'taylor.json'), batches: 2 } }));
  const events: TrainerEvent[] = [];
  const done = await runTrainer({ jobFile, onEvent: (e) => events.push(e) });
  const progress = events.filter((e): e is ProgressEvent => e.event === 'progress');
  assert.equal(progress.length, 12);
  const first = progress[0]!.loss.total!;
  const last = progress.at(-1)!.loss.total!;
  assert.ok(last < first * 0.9, `loss should fall by >10% on one repeated batch: ${first} -> ${last}`);
  assert.equal(done.steps, 12);
  // throughput inputs: every image of the 12 steps counted once, over a positive step-loop time
  assert.equal(done.images_seen, 12 * 4);
  assert.ok(done.train_seconds! > 0);

  const before = decodeModel(readFileSync(model));
  const after = decodeModel(readFileSync(done.model));
  assert.deepEqual(after.graph.nodes.map((n) => [n.opType, n.name, n.inputs, n.outputs]), before.graph.nodes.map((n) => [n.opType, n.name, n.inputs, n.outputs]));
  const inits = (m: typeof before) => [...m.graph.initializers.values()];
  assert.deepEqual(inits(after).map((t) => [t.name, t.dataType, t.dims]), inits(before).map((t) => [t.name, t.dataType, t.dims]));
  const withoutNames = (m: typeof before) => m.metadataProps.filter((p) => p.key !== 'names');
  assert.deepEqual(withoutNames(after), withoutNames(before));
  // the data set's class names replace the builder's placeholder digits (ultralytics labels by them)
  assert.equal(metadataValue(after, 'names'), pythonNamesDict(bccdNames));
  assert.deepEqual(after.graph.outputs.map((o) => o.name), before.graph.outputs.map((o) => o.name));
  const changed = inits(after).filter((t) => {
    const old = before.graph.initializers.get(t.name)!.data;
    return t.data instanceof Float32Array && old instanceof Float32Array && t.data.some((v, i) => v !== old[i]);
  });
  assert.ok(changed.some((t) => t.name.endsWith('running_mean')), 'BN running statistics are written back');
  assert.ok(changed.some((t) => t.name.endsWith('conv.weight')), 'conv weights are written back');

  // the scores file is what the pruning engine's taylor criterion reads; the sidecar says how it was made
  const scores = await readTaylorScores(path.join(dir, 'taylor.json'));
  assert.equal(scores.get('/model.0/conv/Conv')!.length, 8);
  assert.ok([...scores.values()].some((v) => v.some((x) => x > 0)));
  const meta = JSON.parse(readFileSync(path.join(dir, 'taylor.json.meta.json'), 'utf8'));
  assert.equal(meta.format, 'stageprune-taylor-scores');
  assert.equal(meta.layers['/model.0/conv/Conv'].bn, '/model.0/bn/BatchNormalization');
  assert.ok(existsSync(done.checkpoint!));
});

for (const family of ['yolo11', 'yolov5u'] as const) {
  test(`${family} trains like yolov8 (views baked for batch 1 take batches of 4): loss falls, weights are written back`, { skip, timeout: 120_000 }, async () => {
    const dir = tempDir(`train-${family}`);
    const model = tinyModel(dir, { family });
    const jobFile = await writeTrainerJob(path.join(dir, 'job.json'), tinyJob(dir, model, { epochs: 10, optimizer: { warmup_epochs: 0, nbs: 4, lr0: 0.02 } }));
    const events: TrainerEvent[] = [];
    const done = await runTrainer({ jobFile, onEvent: (e) => events.push(e) });
    const progress = events.filter((e): e is ProgressEvent => e.event === 'progress');
    const [first, last] = [progress[0]!.loss.total!, progress.at(-1)!.loss.total!];
    assert.ok(last < first * 0.95, `loss should fall on one repeated batch: ${first} -> ${last}`);
    const before = decodeModel(readFileSync(model));
    const after = decodeModel(readFileSync(done.model));
    const name = family === 'yolo11' ? 'model.10.m.0.attn.qkv.conv.weight' : 'model.2.m.0.cv2.conv.weight';
    const [w0, w1] = [before, after].map((m) => m.graph.initializers.get(name)!.data as Float32Array);
    assert.ok(w1!.some((v, i) => v !== w0![i]), `${name} was trained`);
  });
}

test('warmup ramps the accumulated batches 1 → nominal, as ultralytics does, so short runs take more optimiser steps', { skip, timeout: 120_000 }, async () => {
  const dir = tempDir('ramp');
  const model = tinyModel(dir);
  // 12 one-batch epochs, nominal accumulation 16/4 = 4, warmup 11 steps (capped to epochs − 1):
  // accumulation at steps 0..11 = 1 1 2 2 2 2 3 3 3 3 4 4 → optimiser steps at 0, 1, 3, 5, 8 and the last, 11.
  // Accumulating 4 from the start would give 3 (steps 3, 7, 11).
  const jobFile = await writeTrainerJob(path.join(dir, 'job.json'), tinyJob(dir, model, { epochs: 12, optimizer: { warmup_epochs: 11, nbs: 16 } }));
  const done = await runTrainer({ jobFile });
  assert.equal(done.steps, 12);
  assert.equal(done.optimizer_steps, 6);
});

test('an epoch sees every image: the last batch may be partial, a lone leftover image is dropped', { skip, timeout: 120_000 }, async () => {
  const dir = tempDir('partial');
  const model = tinyModel(dir);
  const seen = async (limit: number) => {
    const out = path.join(dir, `out-${limit}`);
    const job = tinyJob(dir, model, { epochs: 1, out, data: { format: 'voc', root: bccdRoot, splits: ['train'], names: bccdNames, limit } });
    return runTrainer({ jobFile: await writeTrainerJob(path.join(dir, `job-${limit}.json`), job) });
  };
  const seven = await seen(7);
  assert.deepEqual([seven.steps, seven.images_seen], [2, 7], 'batches of 4 and 3');
  const five = await seen(5);
  assert.deepEqual([five.steps, five.images_seen], [1, 4], 'the fifth image would be a one-image batch');
});
