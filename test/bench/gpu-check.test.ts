// bench/gpu-check.sh: both parts' JSON against their zod schemas (schema examples of a full run built here with
// placeholder figures, part (a)'s speed-up summary of such a run, and what each part writes here in its dry run
// on the CPU), and the committed pruned model and manifest the parts rely on. No GPU figure is committed: the
// examples' measured values are all the placeholder 1, never a result.
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
import {
  gpuCheckNodeSchema,
  gpuCheckPythonSchema,
  type GpuCheckNode,
  type GpuCheckPython,
} from '../../bench/gpu-check/schema';
import { computeStats } from '../../core/stats';
import { cudaProviderState } from '../../runtime/cuda';
import { readModelFile } from '../../runtime/onnx-file';
import { repoRoot, venvPython } from '../../runtime/paths';

const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'));

function runPart(part: 'python' | 'node', out: string, ...args: string[]) {
  const r = spawnSync('bash', [path.join(repoRoot, 'bench', 'gpu-check.sh'), part, '--out', out, ...args], {
    encoding: 'utf8',
    timeout: 480_000,
    env: { ...process.env, PYTHON: venvPython() },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

// ---- schema examples: the shape of a full run, with no figure that reads as a measurement ----

/** Every measured figure in the examples: a placeholder, not a result. */
const PLACEHOLDER = 1;
const FULL_BATCHES = [1, 8, 32];
const PRECISIONS = ['fp32', 'fp16'] as const;
const MODELS = ['base', 'pruned'] as const;

/** The manifest's facts about the committed models (file, sha256, params, FLOPs): not GPU measurements. */
function committedModels(): GpuCheckPython['models'] & object {
  const m = readJson(MANIFEST) as GpuCheckNode['models'] & { plan?: unknown };
  return { imgsz: m.imgsz, base: m.base, pruned: m.pruned, flops_factor: m.flops_factor };
}

const figures = (batch: number) => ({
  batch,
  runs: PLACEHOLDER,
  median_ms: PLACEHOLDER,
  p90_ms: PLACEHOLDER,
  images_per_s: PLACEHOLDER,
});

function speedupRows(device: string, flopsFactor: number): GpuCheckPython['speedup'] {
  return PRECISIONS.flatMap((precision) =>
    FULL_BATCHES.map((batch) => ({
      device,
      precision,
      batch,
      base_ms: PLACEHOLDER,
      pruned_ms: PLACEHOLDER,
      speedup: PLACEHOLDER,
      flops_factor: flopsFactor,
      efficiency: PLACEHOLDER,
    })),
  );
}

/** Part (a) of a full run on a CUDA machine: every setting measured, every figure the placeholder. */
function pythonExample(): GpuCheckPython {
  const models = committedModels();
  const run = (device: 'cuda' | 'cpu') => ({
    device,
    amp: device === 'cuda',
    imgsz: models.imgsz,
    batch: PLACEHOLDER,
    workers: 0,
    steps: PLACEHOLDER,
    images: PLACEHOLDER,
    seconds: PLACEHOLDER,
    images_per_s: PLACEHOLDER,
    images_per_s_steady: null,
  });
  return {
    schema: 'stageprune-gpu-check-python',
    version: 1,
    mode: 'full',
    status: 'ok',
    started_at: '2000-01-01T00:00:00.000Z',
    seconds: 0,
    environment: {
      python: 'example',
      torch: 'example',
      cuda: 'example',
      device: 'cuda',
      gpu: { name: 'example GPU', memory_mib: 0 },
      cpu_count: PLACEHOLDER,
    },
    models,
    finetune: { device: run('cuda'), cpu: run('cpu'), speedup_vs_cpu: null },
    latency: PRECISIONS.flatMap((precision) =>
      MODELS.flatMap((model) =>
        FULL_BATCHES.map((batch) => ({
          ok: true as const,
          model,
          device: 'cuda',
          precision,
          ...figures(batch),
        })),
      ),
    ),
    speedup: speedupRows('cuda', models.flops_factor),
    errors: [],
  };
}

/** Part (b) of a full run with the CUDA provider ready: both providers, both precisions, placeholder figures. */
function nodeExample(): GpuCheckNode {
  const models = committedModels();
  const eps = ['cpu', 'cuda'] as const;
  return {
    schema: 'stageprune-gpu-check-node',
    version: 1,
    mode: 'full',
    status: 'ok',
    started_at: '2000-01-01T00:00:00.000Z',
    seconds: 0,
    environment: {
      node: 'example',
      onnxruntime_node: 'example',
      cuda: { state: 'ready', detail: 'example' },
      gpus: [{ name: 'example GPU', memory_mib: 0 }],
    },
    models,
    evaluation: eps.flatMap((ep) =>
      PRECISIONS.map((precision) => ({
        ok: true as const,
        ep,
        precision,
        images: PLACEHOLDER,
        batch: PLACEHOLDER,
        map50_95: 0,
        map50: 0,
        images_per_s: PLACEHOLDER,
        inference_ms: PLACEHOLDER,
      })),
    ),
    agreement: {
      reference: 'cpu/fp32',
      tolerance: 0.002,
      compared: ['cpu/fp16', 'cuda/fp32', 'cuda/fp16'],
      max_abs_diff: null,
      agree: null,
    },
    latency: eps.flatMap((ep) =>
      PRECISIONS.flatMap((precision) =>
        MODELS.flatMap((model) =>
          FULL_BATCHES.map((batch) => ({ ok: true as const, model, ep, precision, ...figures(batch) })),
        ),
      ),
    ),
    speedup: eps.flatMap((ep) => speedupRows(ep, models.flops_factor)),
    errors: [],
  };
}

test('schema examples of a full run of both parts match their schemas; broken ones do not', () => {
  const py = gpuCheckPythonSchema.parse(pythonExample());
  assert.equal(py.latency.length, 12);
  const node = gpuCheckNodeSchema.parse(nodeExample());
  assert.equal(node.evaluation.length, 4);

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
  const noError = { ...node, evaluation: [{ ok: false, ep: 'cuda', precision: 'fp32' }] };
  assert.equal(gpuCheckNodeSchema.safeParse(noError).success, false);
  const zeroRate = structuredClone(py);
  zeroRate.finetune.device!.images_per_s = 0;
  assert.equal(gpuCheckPythonSchema.safeParse(zeroRate).success, false);
});

test(
  "part (a)'s speed-up summary of a full run's latency rows: one row per precision and batch, schema-valid",
  { timeout: 60_000 },
  (t) => {
    if (!fs.existsSync(venvPython())) return t.skip(`no venv python at ${venvPython()}`);
    const example = pythonExample();
    // A different median in every row, so that pairing the wrong rows shows in the ratios.
    const rows = example.latency.map((r, i) =>
      r.ok ? { ...r, median_ms: r.model === 'base' ? 2 * (i + 1) : i } : r,
    );
    const failed = {
      ok: false as const,
      model: 'pruned' as const,
      device: 'cuda',
      precision: 'fp16' as const,
      batch: 32,
      reason: 'example',
    };
    const withFailure = rows.map((r) =>
      r.model === 'pruned' && r.precision === 'fp16' && r.batch === 32 ? failed : r,
    );
    const script = [
      'import json, sys',
      "sys.path.insert(0, 'bench/gpu-check')",
      'from gpu_check_python import speedups',
      'rows, factor = json.load(sys.stdin)',
      'print(json.dumps(speedups(rows, factor)))',
    ].join('\n');
    const r = spawnSync(venvPython(), ['-c', script], {
      cwd: repoRoot,
      encoding: 'utf8',
      input: JSON.stringify([withFailure, example.models!.flops_factor]),
    });
    assert.equal(r.status, 0, r.stderr);
    const speedup = JSON.parse(r.stdout) as GpuCheckPython['speedup'];
    const parsed = gpuCheckPythonSchema.parse({ ...example, latency: withFailure, speedup });
    assert.deepEqual(
      parsed.speedup.map((s) => `${s.precision}/${s.batch}`),
      ['fp32/1', 'fp32/8', 'fp32/32', 'fp16/1', 'fp16/8'],
      'a setting whose pruned row failed has no speed-up',
    );
    for (const s of parsed.speedup) {
      const base = withFailure.find(
        (l) => l.ok && l.model === 'base' && l.precision === s.precision && l.batch === s.batch,
      );
      const pruned = withFailure.find(
        (l) => l.ok && l.model === 'pruned' && l.precision === s.precision && l.batch === s.batch,
      );
      assert.ok(base?.ok && pruned?.ok);
      assert.equal(s.base_ms, base.median_ms);
      assert.equal(s.pruned_ms, pruned.median_ms);
      assert.equal(s.speedup, base.median_ms / pruned.median_ms);
      assert.equal(s.efficiency, s.speedup / example.models!.flops_factor);
    }
  },
);

test('the committed pruned model is the −50% FLOPs one models.json describes (deploy-form costs), in both forms', async () => {
  const manifest = readJson(MANIFEST) as {
    base: { flops: number; params: number };
    pruned: { flops: number; params: number; sha256: string };
    flops_factor: number;
  };
  const base = computeStats(readModelFile(BASE_MODEL), { imgsz: IMGSZ, form: 'deploy' });
  const pruned = computeStats(readModelFile(PRUNED_MODEL), { imgsz: IMGSZ, form: 'deploy' });
  assert.deepEqual([base.flops, base.params], [manifest.base.flops, manifest.base.params]);
  assert.deepEqual([pruned.flops, pruned.params], [manifest.pruned.flops, manifest.pruned.params]);
  assert.equal(sha256File(PRUNED_MODEL), manifest.pruned.sha256);
  assert.ok(manifest.flops_factor > 1.9 && manifest.flops_factor < 2.1, `${manifest.flops_factor}`);
  // Part (b) measures the dynamic-batch forms: the committed plan must give the same network there.
  const dynamic = await applyCommittedPlan(withDynamicBatch(readModelFile(BASE_MODEL), BASE_MODEL));
  assert.equal(computeStats(dynamic, { imgsz: IMGSZ, form: 'deploy' }).flops, pruned.flops);
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
