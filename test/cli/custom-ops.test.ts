// A model with an op from a custom domain: stats count what they can and name what they cannot; prune
// cuts around the op and says onnxruntime cannot check the result without the op's library.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Model } from '../../core/onnx/model';
import { computeStats } from '../../core/stats';
import { buildYoloV8, yolov8Spec } from '../../core/yolo';
import { writeModelFile } from '../../runtime/onnx-file';
import { venvPython } from '../../runtime/paths';
import { inProcess } from '../support/cli-in-process';
import { TinyGraph } from '../support/pruning/tiny-graph';

/** yolov8n with the SiLU gate of model.2's cv1 replaced by a custom-domain op (no shape, no channel rule). */
function withCustomOp(): Model {
  const model = buildYoloV8(yolov8Spec('n', { imgsz: 64 }));
  const nodes = model.graph.nodes.map((n) =>
    n.name === '/model.2/cv1/act/Sigmoid' ? { ...n, opType: 'FancySigmoid', domain: 'com.example' } : n,
  );
  return {
    ...model,
    opsetImports: [...model.opsetImports, { domain: 'com.example', version: 1 }],
    graph: { ...model.graph, nodes },
  };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-custom-'));
}

test('stats count every parameter behind a custom op and name the nodes whose FLOPs are unknown', async () => {
  const model = withCustomOp();
  const s = computeStats(model);
  assert.equal(s.params, 3_157_200);
  const full = computeStats(buildYoloV8(yolov8Spec('n', { imgsz: 64 }))).flops;
  assert.ok(s.flops > 0 && s.flops < full, `${s.flops} vs ${full}`);
  assert.deepEqual(s.unknownNodes, [
    { name: '/model.2/cv1/act/Sigmoid', opType: 'FancySigmoid', domain: 'com.example' },
  ]);
  assert.ok(s.uncosted.length > 10);
  assert.ok(s.uncosted.every((u) => u.after === "com.example.FancySigmoid '/model.2/cv1/act/Sigmoid'"));
  assert.ok(!s.uncosted.some((u) => u.node.startsWith('/model.0/') || u.node.startsWith('/model.1/')));
  const dir = tempDir();
  try {
    const file = path.join(dir, 'custom.onnx');
    writeModelFile(file, model);
    const r = await inProcess('model', 'stats', file);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /unknown op \(kept, not costed\): com\.example\.FancySigmoid/);
    assert.match(r.stdout, /FLOPs are a lower bound: \d+ node\(s\) behind an unknown op/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('prune cuts around a custom op, freezes only what touches it, and warns that the result is unchecked', async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'custom.onnx');
    writeModelFile(file, withCustomOp());
    const out = path.join(dir, 'pruned.onnx');
    const r = await inProcess('prune', file, '--out', out, '--ratio', '0.3', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /custom ops \(com\.example\.FancySigmoid\).*not checked.*--custom-op-library/);
    const json = JSON.parse(r.stdout) as {
      before: { params: number };
      after: { params: number };
      frozen: { group: string; reason: string; at: string }[];
      verified: boolean;
      customOps: string[];
    };
    assert.equal(json.verified, false);
    assert.deepEqual(json.customOps, ['com.example.FancySigmoid']);
    assert.ok(json.after.params < 0.75 * json.before.params, `${json.after.params} of ${json.before.params}`);
    const unknown = json.frozen.filter((f) => f.reason === 'unknown-op');
    assert.ok(unknown.length > 0 && unknown.every((f) => f.at === '/model.2/cv1/act/Sigmoid'));
    const plan = JSON.parse(fs.readFileSync(path.join(dir, 'pruned.plan.json'), 'utf8')) as {
      channels: Record<string, number[]>;
    };
    // Behind the op the graph is pruned as usual: model.3 onwards.
    assert.ok(plan.channels['/model.3/conv/Conv']!.length > 0);
    assert.ok(fs.existsSync(out));

    const bad = await inProcess('prune', file, '--out', out, '--custom-op-library', path.join(dir, 'no.so'));
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /PRUNE_CUSTOM_OP_LIBRARY_INVALID: custom op library not found/);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** onnxruntime-extensions' library (from PyPI) implements ai.onnx.contrib.NegPos: x → (min(x,0), max(x,0)). */
function extensionsLibrary(): string | undefined {
  try {
    const code = 'import onnxruntime, onnxruntime_extensions as x; print(x.get_library_path())';
    return execFileSync(venvPython(), ['-c', code], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

test('with the custom op library, the pruned model is checked in onnxruntime', async (t) => {
  const library = extensionsLibrary();
  if (!library) return t.skip('onnxruntime-extensions is not in the venv (run infra/setup.sh)');
  const g = new TinyGraph(3);
  const x = g.input(3);
  const a = g.cbs(x, 16);
  const [, positive] = g.node('NegPos', [a], [g.shape(a), g.shape(a)]);
  g.output(g.conv(g.concat([g.cbs(positive!, 16), g.cbs(x, 16)]), 4));
  const built = g.build();
  const model: Model = {
    ...built,
    opsetImports: [...built.opsetImports, { domain: 'ai.onnx.contrib', version: 1 }],
    graph: {
      ...built.graph,
      nodes: built.graph.nodes.map((n) => (n.opType === 'NegPos' ? { ...n, domain: 'ai.onnx.contrib' } : n)),
    },
  };
  const dir = tempDir();
  try {
    const file = path.join(dir, 'negpos.onnx');
    writeModelFile(file, model);
    const out = path.join(dir, 'pruned.onnx');
    const args = ['--out', out, '--ratio', '0.5', '--round', '1', '--min-channels', '1', '--json'];
    const r = await inProcess('prune', file, ...args, '--custom-op-library', library);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      verified: boolean;
      after: { params: number };
      before: { params: number };
    };
    assert.equal(json.verified, true);
    assert.ok(json.after.params < json.before.params);
    assert.equal(r.stderr, '');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
