// compressModel on the two other data set layouts it promises: YOLO txt (data.yaml + images/ + labels/, as
// ultralytics users hold their data, and Roboflow's export of it with train/ and valid/ only) and COCO JSON, both small copies of BCCD made in the test, with no
// `trainval` split (the default fine-tune split then reads train + val). Every data-reading step runs on
// them: baseline and final evaluation (a first-N subset), Taylor scoring, hrank calibration, the sensitivity
// scan and fine-tuning; and the deployed model names its classes as the data set does.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startCompression, type CompressModelInput } from '../../clients';
import { decodeModel, metadataValue } from '../../core/onnx';
import { pythonNamesDict } from '../../core/yolo';
import { uploadDatasetFolder } from '../../runtime/artifacts';
import { BCCD_YOLO_NAMES, miniBccdCoco, miniBccdYolo } from '../support/bccd-layouts';
import { startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

function tinyInput(p: PipelineEnv, data: string, overrides: Partial<CompressModelInput>): CompressModelInput {
  return {
    model: p.modelUri,
    data,
    modelName: 'tiny',
    finetune: { epochs: 1, maxSteps: 2, batch: 4, device: 'cpu', checkpointEvery: 1 },
    evaluation: { provider: 'cpu', latencyRuns: 1, maxImages: 6 },
    taskQueues: { cpu: p.env.config.taskQueues.cpu, gpu: p.env.config.taskQueues.gpu },
    ...overrides,
  };
}

describe('compressModel on YOLO txt and COCO JSON data sets', () => {
  let p: PipelineEnv;
  let yoloUri: string;
  let cocoUri: string;
  let roboflowUri: string;
  before(async () => {
    p = await startPipelineEnv();
    yoloUri = await uploadDatasetFolder(p.store, miniBccdYolo(path.join(p.env.stateDir, 'bccd-yolo')).root);
    roboflowUri = await uploadDatasetFolder(
      p.store,
      miniBccdYolo(path.join(p.env.stateDir, 'bccd-roboflow'), 8, BCCD_YOLO_NAMES, 'roboflow').root,
    );
    cocoUri = await uploadDatasetFolder(p.store, miniBccdCoco(path.join(p.env.stateDir, 'bccd-coco')).root);
  });
  after(async () => {
    await p?.close();
  });

  /** The `names` metadata of a stored model. */
  const namesOf = async (ref: Parameters<PipelineEnv['store']['get']>[0]) =>
    metadataValue(decodeModel(await p.store.get(ref)), 'names');

  test('YOLO: Taylor scores, a sensitivity scan, fine-tuning on train + val; data.yaml’s names in the model', async () => {
    const handle = await startCompression(
      p.client,
      tinyInput(p, yoloUri, {
        criterion: 'taylor',
        importance: { taylorBatches: 1 },
        planner: { kind: 'sensitivity', scanRatios: [0.5], calibrationImages: 2, concurrency: 2 },
        target: { flopsReduction: 0.05 },
      }),
      { taskQueue: p.env.config.taskQueues.cpu },
    );
    const result = await p.withWorkers(() => handle.result());
    assert.ok(result.stepSeconds['scoring-importance']! > 0, JSON.stringify(result.stepSeconds));
    const scan = JSON.parse(new TextDecoder().decode(await p.store.get(result.artifacts.sensitivity!))) as {
      points: unknown[];
    };
    assert.ok(scan.points.length > 5, `one point per unit, got ${scan.points.length}`);
    // train + val less the half held out for selection: one batch.
    assert.equal(result.finetune?.steps, 1);
    assert.deepEqual(result.splits?.selection.split, { of: 'trainval', holdOut: 64, seed: 0, part: 'held' });
    assert.ok(result.pruned!.flops <= result.before.flops * 0.95);
    for (const m of [result.before, result.pruned!, result.after!])
      assert.ok(Number.isFinite(m.map50_95) && m.map50_95 >= 0, JSON.stringify(m));
    // The builder's model says '0', '1', '2'; fine-tuning on the data set names the classes as data.yaml does.
    assert.equal(await namesOf(result.artifacts.original), pythonNamesDict(['0', '1', '2']));
    assert.equal(await namesOf(result.artifacts.finetuned!), pythonNamesDict(BCCD_YOLO_NAMES));
    assert.equal(await namesOf(result.artifacts.deployed!), pythonNamesDict(BCCD_YOLO_NAMES));
  });

  test('COCO: hrank on calibration images, a staged plan, fine-tuning; the categories’ names in the model', async () => {
    const handle = await startCompression(
      p.client,
      tinyInput(p, cocoUri, {
        criterion: 'hrank',
        importance: { calibrationImages: 2 },
        planner: { kind: 'staged', stages: { backbone: 0.3, neck: 0.2, head: 0.1 } },
        finetune: { epochs: 1, maxSteps: 1, batch: 4, device: 'cpu' },
      }),
      { taskQueue: p.env.config.taskQueues.cpu },
    );
    const result = await p.withWorkers(() => handle.result());
    const applied = JSON.parse(
      new TextDecoder().decode(await p.store.get(result.artifacts.appliedPlan!)),
    ) as {
      criterion: string;
    };
    assert.equal(applied.criterion, 'hrank');
    assert.ok(result.after!.params < result.before.params);
    assert.equal(result.finetune?.steps, 1);
    assert.equal(await namesOf(result.artifacts.deployed!), pythonNamesDict(BCCD_YOLO_NAMES));
  });

  test('a Roboflow export with train/ and valid/ only, default splits: reported on val, fine-tuned on all of train', async () => {
    const handle = await startCompression(p.client, tinyInput(p, roboflowUri, {}), {
      taskQueue: p.env.config.taskQueues.cpu,
    });
    const result = await p.withWorkers(() => handle.result());
    // No test split: evaluation reads val, as ultralytics' val would; the fine-tune then reads train, all of it
    // (a staged run chooses on no images): its 4 images are one batch.
    assert.equal(result.splits?.evaluation.split, 'val');
    assert.match(result.splits?.evaluation.description ?? '', /no test split/);
    assert.equal(result.splits?.finetune.split, 'train');
    assert.equal(result.splits?.selection.split, undefined);
    assert.equal(result.finetune?.steps, 1);
    for (const m of [result.before, result.after!])
      assert.ok(Number.isFinite(m.map50_95) && m.map50_95 >= 0, JSON.stringify(m));
    assert.equal(await namesOf(result.artifacts.deployed!), pythonNamesDict(BCCD_YOLO_NAMES));
  });
});
