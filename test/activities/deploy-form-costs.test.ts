// Like for like in the pipeline (issue 27, item 3): the original model is train-form, the delivered one
// deploy-form (BN folded), and the run's before/after rows, the planners' baseline and the pruned model's
// stats must count both alike. A train-form model pruned by nothing must read a 0% cut against its export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { exportDeployForm } from '../../core/export';
import { encodeModel } from '../../core/onnx';
import { buildYoloV8, yolov8Spec } from '../../core/yolo';
import type { ArtifactRef } from '../../common/artifact-ref';
import { LocalArtifactCache } from '../../runtime/artifacts';
import { MemoryStore } from '../support/memory-store';
import { tinyVoc } from '../support/tiny-voc';

test('before, pruned and after are all counted in the deploy form: pruning nothing reads a 0% cut', async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-deploy-costs-'));
  const data = tinyVoc(['BloodImage_00000']);
  t.after(() => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(data, { recursive: true, force: true });
  });
  const store = new MemoryStore();
  const acts = createActivities({ store, cache: new LocalArtifactCache(store, work), workDir: work });
  const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'run-d', runId: 'r' } });
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) =>
    env.run(fn, ...args) as Promise<R>;

  const train = buildYoloV8(yolov8Spec('n', { nc: 3, imgsz: 64 }));
  await store.putObject('inputs/train.onnx', encodeModel(train));
  for (const f of [
    'Annotations/BloodImage_00000.xml',
    'JPEGImages/BloodImage_00000.jpg',
    'ImageSets/Main/test.txt',
  ])
    await store.putObject(`inputs/data/${f}`, fs.readFileSync(path.join(data, f)));

  const imported = await run(acts.importModel, { uri: 's3://stageprune/inputs/train.onnx' });
  const dataset = await run(acts.importDataset, { uri: 's3://stageprune/inputs/data/' });
  const pruned = await run(acts.applyPruning, {
    model: imported.ref,
    plan: { criterion: 'l1' as const, global_ratio: 0 },
    imgsz: 64,
  });
  assert.equal(pruned.removedChannels, 0);
  const shipped = await store.put(encodeModel(exportDeployForm(train).model));
  const evaluate = (model: ArtifactRef) =>
    run(acts.evaluateModel, {
      model,
      dataset: dataset.manifest,
      split: 'test',
      imgsz: 64,
      provider: 'cpu' as const,
      latencyRuns: 0,
    });
  const [before, after] = [await evaluate(imported.ref), await evaluate(shipped)];

  const cost = (m: { params: number; flops: number }) => ({ params: m.params, flops: m.flops });
  assert.equal(imported.stats.form, 'deploy');
  assert.deepEqual(cost(before), cost(imported.stats));
  assert.deepEqual(cost(pruned.stats), cost(imported.stats));
  assert.deepEqual(cost(after), cost(before));
  assert.equal(1 - after.flops / before.flops, 0);
  assert.equal(1 - after.params / before.params, 0);
});
