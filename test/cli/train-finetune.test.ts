// `train` and `finetune` as their usage texts describe them: the trainer subprocess on a data set folder of
// any layout, progress on stderr, the result as one JSON line on stdout, OUT/job.json and OUT/model.onnx
// written, `--resume` continuing at the next step, and one-line errors naming the flag.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodeModel } from '../../core/onnx';
import { pruneModel } from '../../core/pruning/prune-model';
import { modelMetadata } from '../../runtime/model-metadata';
import { writeModelFile } from '../../runtime/onnx-file';
import { BCCD_YOLO_NAMES, miniBccdYolo } from '../support/bccd-layouts';
import { inProcess } from '../support/cli-in-process';
import { miniBccd } from '../support/mini-bccd';
import { bccdNames, tempDir, tinyModel, trainerSkipReason } from '../trainer/tiny-fixtures';

const skip = trainerSkipReason();
const small = ['--epochs', '1', '--imgsz', '64', '--batch', '4', '--device', 'cpu', '--threads', '1'];

/** The final stdout line: the trainer's result as JSON. */
function result(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

const structure = (file: string) =>
  decodeModel(fs.readFileSync(file)).graph.nodes.map((n) => [n.opType, n.name, n.inputs.length]);

test(
  'train: one JSON line, OUT/job.json and OUT/model.onnx with the data set’s class names; --resume goes on',
  { skip, timeout: 240_000 },
  async () => {
    const dir = tempDir('cli-train');
    try {
      const model = tinyModel(dir);
      const voc = miniBccd(path.join(dir, 'voc'), 8);
      const out = path.join(dir, 'out');
      const r = await inProcess(
        'train',
        '--model',
        model,
        '--data',
        voc,
        '--splits',
        'val',
        ...small,
        '--max-steps',
        '1',
        '--checkpoint-every',
        '1',
        '--out',
        out,
      );
      assert.equal(r.code, 0, r.stderr);
      const done = result(r.stdout);
      assert.equal(done.ok, true);
      assert.equal(done.steps, 1);
      assert.equal(done.model, path.join(out, 'model.onnx'));
      const job = JSON.parse(fs.readFileSync(path.join(out, 'job.json'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      assert.equal(job.mode, 'train');
      assert.deepEqual(job.data, { format: 'voc', root: voc, splits: ['val'] });
      assert.equal(job.imgsz, 64);
      assert.deepEqual(structure(done.model as string), structure(model), 'the same graph, trained');
      assert.deepEqual(modelMetadata(done.model as string).names, bccdNames);

      // --resume CHECKPOINT continues at the exact next step: this process runs only step 2.
      const resumed = await inProcess(
        'train',
        '--model',
        model,
        '--data',
        voc,
        '--splits',
        'val',
        ...small,
        '--max-steps',
        '2',
        '--out',
        out,
        '--resume',
        done.checkpoint as string,
      );
      assert.equal(resumed.code, 0, resumed.stderr);
      const again = result(resumed.stdout);
      assert.equal(again.steps, 2);
      assert.equal(again.images_seen, 4, 'one step of 4 images in this process');

      // A YOLO data set (data.yaml + images/<split> + labels/<split>) is found by itself; its names are stated.
      const yolo = miniBccdYolo(path.join(dir, 'yolo'), 8);
      const y = await inProcess(
        'train',
        '--model',
        model,
        '--data',
        yolo.root,
        ...small,
        '--max-steps',
        '1',
        '--out',
        path.join(dir, 'out-yolo'),
      );
      assert.equal(y.code, 0, y.stderr);
      const yjob = JSON.parse(fs.readFileSync(path.join(dir, 'out-yolo', 'job.json'), 'utf8')) as {
        data: unknown;
      };
      assert.deepEqual(yjob.data, {
        format: 'yolo',
        images: ['train', 'val'].map((s) => path.join(yolo.root, 'images', s)),
        classes: BCCD_YOLO_NAMES,
      });
      assert.deepEqual(modelMetadata(result(y.stdout).model as string).names, BCCD_YOLO_NAMES);

      for (const [args, message] of [
        [['--model', model, '--epochs', '1', '--out', out], /--data/],
        [['--model', model, '--data', voc, '--epochs', '1', '--out', out, '--imgsz', '50'], /--imgsz/],
        [
          ['--model', model, '--data', path.join(dir, 'none'), '--epochs', '1', '--out', out],
          /DATASET_NOT_FOUND/,
        ],
      ] as const) {
        const bad = await inProcess('train', ...args);
        assert.equal(bad.code, 1, bad.stdout);
        assert.match(bad.stderr, message);
        assert.equal(bad.stderr.trim().split('\n').length, 1, `one line: ${bad.stderr}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'finetune: a pruned student learns from its teacher with CWD; --no-labels distils from a plain image folder',
  { skip, timeout: 240_000 },
  async () => {
    const dir = tempDir('cli-finetune');
    try {
      const teacher = tinyModel(dir, { name: 'teacher.onnx' });
      const { model: pruned } = await pruneModel(decodeModel(fs.readFileSync(teacher)), {
        global_ratio: 0.5,
        round_to: 1,
        min_channels: 2,
      });
      const student = path.join(dir, 'student.onnx');
      writeModelFile(student, pruned);
      const voc = miniBccd(path.join(dir, 'voc'), 8);
      const out = path.join(dir, 'out');
      const r = await inProcess(
        'finetune',
        '--student',
        student,
        '--teacher',
        teacher,
        '--data',
        voc,
        '--splits',
        'val',
        ...small,
        '--max-steps',
        '1',
        '--cwd-weight',
        '5',
        '--cwd-head',
        '2',
        '--out',
        out,
      );
      assert.equal(r.code, 0, r.stderr);
      const done = result(r.stdout);
      assert.equal(done.ok, true);
      assert.equal(done.steps, 1);
      const job = JSON.parse(fs.readFileSync(path.join(out, 'job.json'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      assert.equal(job.mode, 'finetune');
      assert.equal(job.teacher, teacher);
      assert.equal(job.labels, true);
      assert.deepEqual(job.cwd, { enabled: true, tau: 1, weight: 5, head_weight: 2 });
      // The student keeps its pruned graph: the CWD adapters are trained alongside and never exported.
      assert.deepEqual(structure(done.model as string), structure(student));
      assert.deepEqual(modelMetadata(done.model as string).names, bccdNames);

      const images = path.join(voc, 'JPEGImages');
      const free = await inProcess(
        'finetune',
        '--student',
        student,
        '--teacher',
        teacher,
        '--data',
        images,
        '--format',
        'images',
        '--no-labels',
        ...small,
        '--max-steps',
        '1',
        '--out',
        path.join(dir, 'out-free'),
      );
      assert.equal(free.code, 0, free.stderr);
      const freeJob = JSON.parse(fs.readFileSync(path.join(dir, 'out-free', 'job.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      assert.equal(freeJob.labels, false);
      assert.deepEqual(freeJob.data, { format: 'images', images });
      assert.deepEqual(
        modelMetadata(result(free.stdout).model as string).names,
        ['0', '1', '2'],
        'no labels: no class names to state',
      );

      const missing = await inProcess(
        'finetune',
        '--student',
        student,
        '--data',
        voc,
        '--epochs',
        '1',
        '--out',
        out,
      );
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /--teacher/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);

/** Runs the CLI in-process with every CUDA device hidden from the trainer it starts. */
async function withoutCuda(...args: string[]) {
  const before = process.env.CUDA_VISIBLE_DEVICES;
  process.env.CUDA_VISIBLE_DEVICES = '';
  try {
    return await inProcess(...args);
  } finally {
    if (before === undefined) delete process.env.CUDA_VISIBLE_DEVICES;
    else process.env.CUDA_VISIBLE_DEVICES = before;
  }
}

test(
  'train --device cuda without CUDA: the one-line DEVICE_UNAVAILABLE error, non-zero exit; --device auto says it fell back',
  { skip, timeout: 240_000 },
  async () => {
    const dir = tempDir('cli-device');
    try {
      const model = tinyModel(dir);
      const voc = miniBccd(path.join(dir, 'voc'), 8);
      const args = (device: string, out: string) => [
        ...['--model', model, '--data', voc, '--splits', 'val', '--epochs', '1', '--imgsz', '64'],
        ...['--batch', '4', '--threads', '1', '--max-steps', '1', '--device', device, '--out', out],
      ];
      const cuda = await withoutCuda('train', ...args('cuda', path.join(dir, 'out-cuda')));
      assert.equal(cuda.code, 1, cuda.stdout);
      assert.equal(cuda.stdout, '', 'no result line');
      assert.match(
        cuda.stderr,
        /^stageprune train: DEVICE_UNAVAILABLE: device cuda requested, but CUDA is not available: CUDA_VISIBLE_DEVICES='' hides every CUDA device \(torch [^)]+\); train with device cpu or auto$/,
      );
      assert.equal(cuda.stderr.trim().split('\n').length, 1, `one line: ${cuda.stderr}`);
      assert.equal(fs.existsSync(path.join(dir, 'out-cuda', 'model.onnx')), false);

      const auto = await withoutCuda('train', ...args('auto', path.join(dir, 'out-auto')));
      assert.equal(auto.code, 0, auto.stderr);
      const done = result(auto.stdout);
      assert.equal(done.ok, true);
      assert.equal(done.device, 'cpu');
      assert.equal(done.device_requested, 'auto');
      assert.equal(done.device_fallback, true);
      assert.equal(done.device_reason, "CUDA_VISIBLE_DEVICES='' hides every CUDA device");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);
