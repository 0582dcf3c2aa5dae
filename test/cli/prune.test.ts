import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inProcess } from '../support/cli-in-process';
import { buildYoloV8, yolov8Spec } from '../../core/yolo';
import { bccdRoot } from '../../runtime/datasets';
import { writeModelFile } from '../../runtime/onnx-file';
import { killChannels } from '../support/pruning/dead-channels';

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

test('prune: before and after are counted alike (deploy form): pruning nothing reads 0%, whatever the input form', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-prune-'));
  try {
    const train = path.join(dir, 'n.onnx');
    writeModelFile(train, buildYoloV8(yolov8Spec('n', { nc: 3, imgsz: 64 })));
    const deploy = path.join(dir, 'n-deploy.onnx');
    assert.equal((await inProcess('model', 'export', train, '--out', deploy)).code, 0);
    type Cost = { params: number; flops: number; form: string };
    const prune = async (input: string, ...args: string[]) => {
      const r = await inProcess('prune', input, '--out', path.join(dir, 'out.onnx'), ...args);
      assert.equal(r.code, 0, r.stderr);
      return r;
    };
    const none = JSON.parse((await prune(train, '--ratio', '0', '--json')).stdout) as {
      before: Cost;
      after: Cost;
    };
    assert.equal(none.before.form, 'deploy');
    assert.deepEqual(none.after, none.before);
    // The train-form input's "before" is its deploy-form export's cost, so it compares with any exported model.
    const exported = JSON.parse((await prune(deploy, '--ratio', '0', '--json')).stdout) as { before: Cost };
    assert.deepEqual(
      { params: none.before.params, flops: none.before.flops },
      { params: exported.before.params, flops: exported.before.flops },
    );
    const text = (await prune(train, '--ratio', '0')).stdout;
    assert.match(
      text,
      /\(100\.0%\), GFLOPs [\d.]+ → [\d.]+ \(100\.0%\); deploy form \(BN folded\) on both sides/,
    );
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
      [['--plan', plan({ groups: { '/model.99/conv/Conv': 0.2 } })], 'PRUNE_UNIT_UNKNOWN'],
      [['--plan', plan({ groups: { '/model.22/cv2.0/cv2.0.2/Conv': 0.2 } })], 'PRUNE_UNIT_FROZEN'],
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

/** Reads the plan `prune` applied: explicit channel lists per group. */
function appliedChannels(planFile: string): Record<string, number[]> {
  return (JSON.parse(fs.readFileSync(planFile, 'utf8')) as { channels: Record<string, number[]> }).channels;
}

/** Every group of the applied plan that lost channels, with the channels it lost (sorted). */
function removed(planFile: string): Record<string, number[]> {
  return Object.fromEntries(
    Object.entries(appliedChannels(planFile))
      .filter(([, list]) => list.length > 0)
      .map(([g, list]) => [g, [...list].sort((a, b) => a - b)]),
  );
}

test('prune --criterion taylor removes exactly the channels the scores file ranks lowest', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-prune-'));
  try {
    const model = buildYoloV8(yolov8Spec('n', { nc: 3, imgsz: 64 }));
    const input = path.join(dir, 'n.onnx');
    writeModelFile(input, model);
    // Two groups pruned by name, round 1: model.0 (16 channels, ratio 0.25: 4 go) and model.2's cv1 (32
    // channels in two C2f halves, each cut by 0.125: 2 go per half). Its bottleneck's cv2, which the residual
    // add joins to the second half, scores every channel alike, so only cv1's scores order the channels.
    const planFile = path.join(dir, 'plan.json');
    fs.writeFileSync(
      planFile,
      JSON.stringify({
        criterion: 'taylor',
        groups: { '/model.0/conv/Conv': 0.25, '/model.2/cv1/conv/Conv': 0.125 },
        round_to: 1,
        min_channels: 1,
      }),
    );
    for (const lowest of [
      { '/model.0/conv/Conv': [2, 5, 9, 14], '/model.2/cv1/conv/Conv': [1, 6, 20, 27] },
      { '/model.0/conv/Conv': [0, 7, 8, 15], '/model.2/cv1/conv/Conv': [3, 15, 16, 31] },
    ]) {
      const scores = Object.fromEntries(
        model.graph.nodes
          .filter((n) => n.opType === 'Conv')
          .map((n) => {
            const low = (lowest as Record<string, number[]>)[n.name] ?? [];
            const uniform = n.name === '/model.2/m.0/cv2/conv/Conv';
            return [
              n.name,
              Array.from({ length: 256 }, (_, c) =>
                low.includes(c) ? 0.01 * (1 + low.indexOf(c)) : uniform ? 1 : 1 + ((c * 37) % 11) / 10,
              ),
            ];
          }),
      );
      const scoresFile = path.join(dir, 'taylor.json');
      fs.writeFileSync(scoresFile, JSON.stringify(scores));
      const out = path.join(dir, 't.onnx');
      const t = await inProcess(
        'prune',
        input,
        '--out',
        out,
        '--plan',
        planFile,
        '--scores',
        scoresFile,
        '--json',
      );
      assert.equal(t.code, 0, t.stderr);
      assert.deepEqual(removed(path.join(dir, 't.plan.json')), lowest);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('prune --criterion hrank removes the channels whose feature maps have the lowest rank', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-prune-'));
  try {
    // Channels 3 and 9 of model.0 are dead (filter rows 0, BN γ = β = 0): their maps are all zero, rank 0;
    // every other channel of a random conv over a real image has a (nearly) full-rank map.
    const model = killChannels(buildYoloV8(yolov8Spec('n', { nc: 3, imgsz: 64 }), { seed: 2 }), {
      '/model.0/conv/Conv': [3, 9],
      '/model.1/conv/Conv': [30],
    });
    const input = path.join(dir, 'n.onnx');
    writeModelFile(input, model);
    const calib = path.join(dir, 'calib');
    fs.mkdirSync(calib);
    for (const f of ['BloodImage_00000.jpg', 'BloodImage_00001.jpg'])
      fs.copyFileSync(path.join(bccdRoot(), 'JPEGImages', f), path.join(calib, f));
    const planFile = path.join(dir, 'plan.json');
    fs.writeFileSync(
      planFile,
      JSON.stringify({
        groups: { '/model.0/conv/Conv': 0.125, '/model.1/conv/Conv': 1 / 32 },
        round_to: 1,
        min_channels: 1,
      }),
    );
    const out = path.join(dir, 'h.onnx');
    const h = await inProcess(
      'prune',
      input,
      '--out',
      out,
      '--plan',
      planFile,
      '--criterion',
      'hrank',
      '--calib',
      calib,
      '--json',
    );
    assert.equal(h.code, 0, h.stderr);
    assert.deepEqual(removed(path.join(dir, 'h.plan.json')), {
      '/model.0/conv/Conv': [3, 9],
      '/model.1/conv/Conv': [30],
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
