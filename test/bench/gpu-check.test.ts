// bench/gpu-check.sh: both parts' JSON against their zod schemas (sample full-run results, and what each part
// writes here in its dry run on the CPU), and the committed pruned model and manifest the parts rely on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BASE_MODEL,
  IMGSZ,
  MANIFEST,
  PRUNED_MODEL,
  applyCommittedPlan,
  sha256File,
  withDynamicBatch,
} from '../../bench/gpu-check/models';
import { gpuCheckNodeSchema, gpuCheckPythonSchema } from '../../bench/gpu-check/schema';
import { computeStats } from '../../core/stats';
import { cudaProviderState } from '../../runtime/cuda';
import { readModelFile } from '../../runtime/onnx-file';
import { repoRoot, venvPython } from '../../runtime/paths';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'gpu-check');
const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'));

function runPart(part: 'python' | 'node', out: string, ...args: string[]) {
  const r = spawnSync('bash', [path.join(repoRoot, 'bench', 'gpu-check.sh'), part, '--out', out, ...args], {
    encoding: 'utf8',
    timeout: 480_000,
    env: { ...process.env, PYTHON: venvPython() },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

test('sample full-run results of both parts match their schemas; broken ones do not', () => {
  const py = gpuCheckPythonSchema.parse(readJson(path.join(fixtures, 'python-full.sample.json')));
  assert.equal(py.speedup.length, 6);
  const node = gpuCheckNodeSchema.parse(readJson(path.join(fixtures, 'node-full.sample.json')));
  assert.equal(node.agreement.agree, true);

  const bad = structuredClone(node) as Record<string, unknown> & typeof node;
  bad.latency = [{ ...node.latency[0]!, median_ms: -1 } as (typeof node.latency)[number]];
  assert.equal(gpuCheckNodeSchema.safeParse(bad).success, false);
  const extraKey = { ...py, surprise: 1 };
  assert.equal(gpuCheckPythonSchema.safeParse(extraKey).success, false);
  const noReason = {
    ...py,
    latency: [{ ok: false, model: 'base', device: 'cuda', precision: 'fp16', batch: 1 }],
  };
  assert.equal(gpuCheckPythonSchema.safeParse(noReason).success, false);
});

test('the committed pruned model is the −50% FLOPs one models.json describes, in both forms', async () => {
  const manifest = readJson(MANIFEST) as {
    base: { flops: number; params: number };
    pruned: { flops: number; params: number; sha256: string };
    flops_factor: number;
  };
  const base = computeStats(readModelFile(BASE_MODEL), { imgsz: IMGSZ });
  const pruned = computeStats(readModelFile(PRUNED_MODEL), { imgsz: IMGSZ });
  assert.deepEqual([base.flops, base.params], [manifest.base.flops, manifest.base.params]);
  assert.deepEqual([pruned.flops, pruned.params], [manifest.pruned.flops, manifest.pruned.params]);
  assert.equal(sha256File(PRUNED_MODEL), manifest.pruned.sha256);
  assert.ok(manifest.flops_factor > 1.9 && manifest.flops_factor < 2.1, `${manifest.flops_factor}`);
  // Part (b) measures the dynamic-batch forms: the committed plan must give the same network there.
  const dynamic = await applyCommittedPlan(withDynamicBatch(readModelFile(BASE_MODEL), BASE_MODEL));
  assert.equal(computeStats(dynamic, { imgsz: IMGSZ }).flops, pruned.flops);
});

test(
  'part (a) dry run on the CPU: the trainer fine-tunes and both models are timed; schema-valid JSON',
  { timeout: 480_000 },
  (t) => {
    if (!fs.existsSync(venvPython())) return t.skip(`no venv python at ${venvPython()}`);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-gpu-check-a-'));
    t.after(() => fs.rmSync(out, { recursive: true, force: true }));
    const r = runPart('python', out, '--dry-run', '--device', 'cpu');
    assert.equal(r.code, 0, r.out);
    const result = gpuCheckPythonSchema.parse(readJson(path.join(out, 'gpu-check-python.json')));
    assert.equal(result.mode, 'dry-run');
    assert.deepEqual(result.errors, []);
    assert.equal(result.finetune.device?.device, 'cpu');
    assert.equal(result.finetune.device?.amp, false);
    const timed = result.latency.filter((l) => l.ok).map((l) => `${l.model}/${l.precision}/${l.batch}`);
    assert.deepEqual(timed, ['base/fp32/1', 'base/fp32/2', 'pruned/fp32/1', 'pruned/fp32/2']);
    assert.equal(result.speedup.length, 2);
  },
);

test(
  'part (b) dry run: CPU figures, and CUDA as the typed error of this machine, schema-valid JSON',
  { timeout: 480_000 },
  (t) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-gpu-check-b-'));
    t.after(() => fs.rmSync(out, { recursive: true, force: true }));
    const r = runPart('node', out, '--dry-run');
    assert.equal(r.code, 0, r.out);
    const result = gpuCheckNodeSchema.parse(readJson(path.join(out, 'gpu-check-node.json')));
    assert.equal(result.mode, 'dry-run');
    const state = cudaProviderState();
    assert.equal(result.environment.cuda.state, state.kind);
    const cpu = result.evaluation.filter((e) => e.ep === 'cpu');
    assert.deepEqual(
      cpu.map((e) => e.ok),
      [true, true],
    );
    const cuda = result.evaluation.filter((e) => e.ep === 'cuda');
    assert.equal(cuda.length, 2);
    if (state.kind !== 'ready') {
      for (const e of cuda) {
        assert.equal(e.ok, false);
        if (!e.ok) {
          assert.equal(e.error.code, 'EP_UNAVAILABLE');
          assert.equal(e.error.reason, state.kind);
          assert.deepEqual(e.error.missing, state.missing);
        }
      }
      assert.equal(result.status, 'partial');
      assert.ok(result.latency.filter((l) => l.ep === 'cuda').every((l) => !l.ok));
    }
    assert.ok(result.latency.filter((l) => l.ep === 'cpu').every((l) => l.ok));
    assert.equal(result.speedup.filter((s) => s.device === 'cpu').length, 4);
  },
);
