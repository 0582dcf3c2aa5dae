import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inProcess } from '../support/cli-in-process';
import { buildYoloV8, yolov8Spec } from '../../core/yolo';
import { bccdRoot } from '../../runtime/datasets';
import { writeModelFile } from '../../runtime/onnx-file';

test('prune: staged default, JSON output with stats, frozen groups and the applied plan; replay is byte-identical', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-prune-'));
  try {
    const input = path.join(dir, 'n.onnx');
    writeModelFile(input, buildYoloV8(yolov8Spec('n', { nc: 3, imgsz: 64 })));
    const out = path.join(dir, 'n-pruned.onnx');
    const r = await inProcess('prune', input, '--out', out, '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      before: { params: number; stages: Record<string, { params: number }> };
      after: { params: number; stages: Record<string, { params: number }> };
      groups: number;
      frozen: { group: string; reason: string }[];
      plan: string;
    };
    assert.ok(json.after.params < json.before.params);
    for (const s of ['backbone', 'neck', 'head'])
      assert.ok(json.after.stages[s]!.params < json.before.stages[s]!.params, s);
    assert.equal(json.plan, path.join(dir, 'n-pruned.plan.json'));
    assert.ok(json.groups > 50);
    assert.deepEqual(
      json.frozen
        .filter((f) => f.reason === 'head-output')
        .map((f) => f.group)
        .sort(),
      [
        '/model.22/cv2.0/cv2.0.2/Conv',
        '/model.22/cv2.1/cv2.1.2/Conv',
        '/model.22/cv2.2/cv2.2.2/Conv',
        '/model.22/cv3.0/cv3.0.2/Conv',
        '/model.22/cv3.1/cv3.1.2/Conv',
        '/model.22/cv3.2/cv3.2.2/Conv',
      ],
    );
    assert.ok(json.frozen.some((f) => f.reason === 'decode-path' && f.group.includes('/dfl/')));

    const replay = path.join(dir, 'replay.onnx');
    const r2 = await inProcess('prune', input, '--out', replay, '--plan', json.plan, '--json');
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(fs.readFileSync(replay), fs.readFileSync(out));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('prune: bad input gets a typed error and writes nothing', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-prune-'));
  try {
    const input = path.join(dir, 'n.onnx');
    writeModelFile(input, buildYoloV8(yolov8Spec('n', { nc: 3, imgsz: 64 })));
    const out = path.join(dir, 'out.onnx');
    const plan = (p: object) => {
      const f = path.join(dir, `plan-${Math.random()}.json`);
      fs.writeFileSync(f, JSON.stringify(p));
      return f;
    };
    const cases: [string[], string][] = [
      [['--ratio', '1'], 'PRUNE_RATIO_INVALID'],
      [['--stages', 'backbone=0.3,torso=0.1'], 'PRUNE_UNIT_UNKNOWN'],
      [['--plan', plan({ layers: { '/model.99/conv/Conv': 0.2 } })], 'PRUNE_UNIT_UNKNOWN'],
      [['--plan', plan({ layers: { '/model.22/cv2.0/cv2.0.2/Conv': 0.2 } })], 'PRUNE_UNIT_FROZEN'],
      [['--plan', plan({ global_ratio: 0.2, criterion: 'magic' })], 'PRUNE_PLAN_INVALID'],
      [['--criterion', 'hrank'], 'PRUNE_CALIBRATION_MISSING'],
      [['--criterion', 'hrank', '--calib', path.join(dir, 'missing')], 'PRUNE_CALIBRATION_MISSING'],
      [['--criterion', 'taylor'], 'PRUNE_SCORES_INVALID'],
    ];
    for (const [flags, code] of cases) {
      const r = await inProcess('prune', input, '--out', out, ...flags);
      assert.equal(r.code, 1, `${flags.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, new RegExp(code), flags.join(' '));
      assert.equal(fs.existsSync(out), false);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('prune: taylor scores from a file; hrank with calibration images', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-prune-'));
  try {
    const model = buildYoloV8(yolov8Spec('n', { nc: 3, imgsz: 64 }));
    const input = path.join(dir, 'n.onnx');
    writeModelFile(input, model);
    const scores = Object.fromEntries(
      model.graph.nodes
        .filter((n) => n.opType === 'Conv')
        .map((n) => [n.name, Array.from({ length: 256 }, (_, c) => (c * 37) % 11)]),
    );
    const scoresFile = path.join(dir, 'taylor.json');
    fs.writeFileSync(scoresFile, JSON.stringify(scores));
    const t = await inProcess(
      'prune',
      input,
      '--out',
      path.join(dir, 't.onnx'),
      '--criterion',
      'taylor',
      '--scores',
      scoresFile,
      '--ratio',
      '0.3',
      '--json',
    );
    assert.equal(t.code, 0, t.stderr);
    const calib = path.join(dir, 'calib');
    fs.mkdirSync(calib);
    fs.copyFileSync(path.join(bccdRoot(), 'JPEGImages/BloodImage_00000.jpg'), path.join(calib, 'a.jpg'));
    const h = await inProcess(
      'prune',
      input,
      '--out',
      path.join(dir, 'h.onnx'),
      '--criterion',
      'hrank',
      '--calib',
      calib,
      '--ratio',
      '0.3',
      '--json',
    );
    assert.equal(h.code, 0, h.stderr);
    assert.ok(fs.existsSync(path.join(dir, 'h.plan.json')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
