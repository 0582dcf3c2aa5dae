import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pythonNamesDict } from '../../core/yolo';
import { decodeModel, metadataValue } from '../../core/onnx';
import { inProcess } from '../support/cli-in-process';

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'stageprune.cjs');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('model build → stats --json → export → stats, end to end through the CLI', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-model-'));
  try {
    const train = path.join(dir, 'n.onnx');
    const built = cli(
      'model',
      'build',
      '--arch',
      'yolov8n',
      '--nc',
      '80',
      '--imgsz',
      '640',
      '--seed',
      '0',
      '--out',
      train,
    );
    assert.equal(built.code, 0, built.stderr);
    assert.match(built.stdout, /3157200 parameters/);

    const stats = cli('model', 'stats', train, '--json');
    assert.equal(stats.code, 0, stats.stderr);
    const s = JSON.parse(stats.stdout);
    assert.equal(s.params, 3_157_200);
    assert.equal(s.flops, 8_855_091_200);
    assert.deepEqual(Object.keys(s.stages), ['backbone', 'neck', 'head']);
    assert.deepEqual(
      [s.stages.backbone.params, s.stages.neck.params, s.stages.head.params],
      [1_272_656, 986_880, 897_664],
    );
    assert.equal(s.modules.length, 23);
    assert.deepEqual(s.modules[2], { index: 2, params: 7360, flops: s.modules[2].flops });

    const deploy = path.join(dir, 'n-deploy.onnx');
    const exported = await inProcess('model', 'export', train, '--out', deploy, '--fp16');
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /57 BatchNormalization folded, fp16/);
    const model = decodeModel(fs.readFileSync(deploy));
    assert.equal(metadataValue(model, 'stageprune_form'), 'deploy');
    assert.equal(JSON.parse((await inProcess('model', 'stats', deploy, '--json')).stdout).params, 3_151_904);
    assert.match((await inProcess('model', 'stats', deploy)).stdout, /total\s+3151904\s+8\.7440/);

    // --names states the data set's classes: ultralytics labels predictions by them, not by placeholder digits
    const named = path.join(dir, 'n-named.onnx');
    const names = ['a', 'b c', ...Array.from({ length: 78 }, (_, i) => `k${i}`)];
    assert.equal(
      (await inProcess('model', 'export', train, '--out', named, '--names', names.join(','))).code,
      0,
    );
    assert.equal(metadataValue(decodeModel(fs.readFileSync(named)), 'names'), pythonNamesDict(names));
    const short = await inProcess('model', 'export', train, '--out', named, '--names', 'a,b');
    assert.equal(short.code, 1);
    assert.match(short.stderr, /EXPORT_NAMES_MISMATCH|2 class names for a model with 80 classes/);
    assert.equal(metadataValue(model, 'names'), metadataValue(decodeModel(fs.readFileSync(train)), 'names'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('model stats says which form it counted; --deploy counts a train-form file as its export', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-model-'));
  try {
    const train = path.join(dir, 'n.onnx');
    const built = await inProcess('model', 'build', '--arch', 'yolov8n', '--imgsz', '64', '--out', train);
    assert.match(built.stdout, /GFLOPs \(train form, as built\)/);
    const deploy = path.join(dir, 'n-deploy.onnx');
    assert.equal((await inProcess('model', 'export', train, '--out', deploy)).code, 0);
    const json = async (...args: string[]) => JSON.parse((await inProcess('model', 'stats', ...args)).stdout);
    const [asGiven, folded, exported] = [
      await json(train, '--json'),
      await json(train, '--deploy', '--json'),
      await json(deploy, '--json'),
    ];
    assert.deepEqual([asGiven.form, asGiven.foldedBatchNorms], ['as-given', 0]);
    assert.deepEqual([folded.form, folded.foldedBatchNorms], ['deploy', 57]);
    for (const k of ['params', 'flops', 'stages', 'modules']) assert.deepEqual(folded[k], exported[k], k);
    assert.ok(asGiven.flops > folded.flops);
    const text = (await inProcess('model', 'stats', train)).stdout;
    assert.match(
      text,
      new RegExp(
        `as given \\(train form: 57 BatchNormalization a deploy export folds\\); deploy form \\(--deploy\\): ${folded.params} params`,
      ),
    );
    assert.match(
      (await inProcess('model', 'stats', train, '--deploy')).stdout,
      /deploy form: 57 BatchNormalization/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('bad arguments and bad files are one-line errors with exit code 1, never a stack trace', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-model-'));
  try {
    const junk = path.join(dir, 'junk.onnx');
    fs.writeFileSync(junk, 'not a model\n');
    const cases: [string[], RegExp][] = [
      [['model', 'build', '--arch', 'yolov9', '--out', path.join(dir, 'x.onnx')], /YOLO_SPEC_INVALID/],
      [
        ['model', 'build', '--arch', 'yolov8n', '--imgsz', 'big', '--out', path.join(dir, 'x.onnx')],
        /CLI_USAGE: --imgsz/,
      ],
      [['model', 'build', '--arch', 'yolov8n'], /CLI_USAGE: --out/],
      [['model', 'stats', junk], /ONNX_NOT_ONNX/],
      [['model', 'export', junk, '--out', path.join(dir, 'y.onnx')], /ONNX_NOT_ONNX/],
      [['model', 'frobnicate'], /unknown subcommand/],
      [['model', 'stats', path.join(dir, 'missing.onnx')], /MODEL_FILE_UNREADABLE/],
    ];
    for (const [args, message] of cases) {
      const r = await inProcess(...args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    // One real process: the bin's exit code and stderr for a bad file.
    const spawned = cli('model', 'stats', junk);
    assert.equal(spawned.code, 1);
    assert.match(spawned.stderr, /^stageprune model: ONNX_NOT_ONNX: /);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
