// The pipeline's INT8 activity: quantizes the fine-tuned model on the selection split, scores the
// accuracy control there, stores the INT8 model as an artifact; a retry returns the same artifact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { decodeModel, metadataValue } from '../../core/onnx';
import { LocalArtifactCache } from '../../runtime/artifacts';
import { MemoryStore } from '../support/memory-store';
import { tinyVoc } from '../support/tiny-voc';

const stems = ['BloodImage_00000', 'BloodImage_00001', 'BloodImage_00002'];

test('quantizeModel: int8 artifact, accuracy control on the named split, a retry returns the same artifact', async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-quantize-act-'));
  const data = tinyVoc(stems, (root) =>
    fs.writeFileSync(path.join(root, 'ImageSets/Main/selection.txt'), stems.join('\n') + '\n'),
  );
  t.after(() => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(data, { recursive: true, force: true });
  });
  const store = new MemoryStore();
  const acts = createActivities({ store, cache: new LocalArtifactCache(store, work), workDir: work });
  const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'run-q', runId: 'r' } });
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) =>
    env.run(fn, ...args) as Promise<R>;
  await store.putObject(
    'inputs/tiny.onnx',
    fs.readFileSync(path.resolve(__dirname, '../../models/yolov8n-tiny-bccd.onnx')),
  );
  for (const dir of ['Annotations', 'JPEGImages', 'ImageSets/Main'])
    for (const f of fs.readdirSync(path.join(data, dir)))
      await store.putObject(`inputs/data/${dir}/${f}`, fs.readFileSync(path.join(data, dir, f)));
  const model = await run(acts.importModel, { uri: 's3://stageprune/inputs/tiny.onnx' });
  const dataset = await run(acts.importDataset, { uri: 's3://stageprune/inputs/data/' });
  const input = {
    model: model.ref,
    dataset: dataset.manifest,
    split: 'selection',
    images: 3,
    observer: 'minmax' as const,
    activationType: 'uint8' as const,
    maxDropPoints: 100,
  };
  const q = await run(acts.quantizeModel, input);
  const int8 = decodeModel(await store.get(q.model));
  assert.equal(metadataValue(int8, 'stageprune_precision'), 'int8');
  assert.ok(q.quantizedNodes > 100);
  assert.ok(q.selectionMap, 'accuracy control scored on the selection split');
  assert.deepEqual(q.keptLayers, [], 'a 100-point budget keeps nothing in float');
  assert.ok(q.selectionMap.withinBudget);
  assert.ok(q.selectionMap.float >= 0 && q.selectionMap.float <= 1);
  const again = await run(acts.quantizeModel, input);
  assert.deepEqual(again, q);
});
