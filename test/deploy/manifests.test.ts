import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, venvDir } from '../../runtime/paths';

/**
 * The Kubernetes manifests in deploy/kubernetes are checked against the Kubernetes API's JSON schemas
 * (kubernetes-validate from PyPI, schemas bundled, strict: unknown fields are errors), and a deliberately
 * broken copy must fail, so the check is known to bite.
 */
const DIR = path.join(repoRoot, 'deploy', 'kubernetes');
const KUBERNETES_VERSION = '1.33.0';
const validator = path.join(venvDir, 'bin', 'kubernetes-validate');
const python = path.join(venvDir, 'bin', 'python');

function manifests(dir = DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .map((f) => path.join(dir, f));
}

function validate(files: string[]) {
  const r = spawnSync(validator, ['--strict', '-k', KUBERNETES_VERSION, ...files], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Every document of every manifest, parsed by PyYAML (the validator's own parser). */
function documents(): Record<string, unknown>[] {
  const r = spawnSync(
    python,
    [
      '-c',
      'import json, sys, yaml; print(json.dumps([d for f in sys.argv[1:] for d in yaml.safe_load_all(open(f)) if d]))',
      ...manifests(),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
}

test('deploy/kubernetes manifests pass strict schema validation', () => {
  const files = manifests();
  assert.ok(files.length >= 5);
  const r = validate(files);
  assert.equal(r.code, 0, r.out);
  assert.doesNotMatch(r.out, /ERROR|failed/i);
});

test('a broken manifest fails validation', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-manifest-'));
  try {
    const broken = path.join(dir, 'cpu-worker.yaml');
    // A string where an integer belongs, and a misspelt field (strict mode rejects unknown fields).
    fs.writeFileSync(
      broken,
      fs
        .readFileSync(path.join(DIR, 'cpu-worker.yaml'), 'utf8')
        .replace('replicas: 2', 'replicas: two')
        .replace('terminationGracePeriodSeconds:', 'terminationGracePeriodSecond:'),
    );
    const r = validate([broken]);
    assert.notEqual(r.code, 0, r.out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the workers ask for what they need: GPUs on GPU nodes, graceful shutdown, concurrency and build ID', () => {
  type Container = {
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  };
  type Deployment = {
    kind: string;
    metadata: { name: string };
    spec: {
      template: {
        spec: {
          containers: Container[];
          nodeSelector?: Record<string, string>;
          terminationGracePeriodSeconds?: number;
        };
      };
    };
  };
  const deployments = documents().filter((d) => d.kind === 'Deployment') as unknown as Deployment[];
  const byName = new Map(deployments.map((d) => [d.metadata.name, d.spec.template.spec]));
  for (const name of ['stageprune-cpu-worker', 'stageprune-gpu-worker']) {
    const pod = byName.get(name);
    assert.ok(pod, `${name} missing`);
    const env = new Map(pod.containers[0]!.env!.map((e) => [e.name, e]));
    assert.ok(env.get('STAGEPRUNE_WORKER_ACTIVITIES')?.value, `${name}: concurrency from the environment`);
    const grace = Number(env.get('STAGEPRUNE_WORKER_SHUTDOWN_GRACE_SECONDS')?.value);
    assert.ok(
      (pod.terminationGracePeriodSeconds ?? 30) > grace,
      `${name}: Kubernetes must wait longer than the worker's own shutdown grace`,
    );
    assert.match(
      env.get('STAGEPRUNE_WORKER_BUILD_ID')?.valueFrom?.fieldRef?.fieldPath ?? '',
      /app\.kubernetes\.io\/version/,
    );
  }
  const gpu = byName.get('stageprune-gpu-worker')!;
  assert.equal(gpu.containers[0]!.resources?.limits?.['nvidia.com/gpu'], '1');
  assert.ok(gpu.nodeSelector && Object.keys(gpu.nodeSelector).length > 0, 'GPU pods select GPU nodes');
  assert.equal(
    byName.get('stageprune-cpu-worker')!.containers[0]!.resources?.limits?.['nvidia.com/gpu'],
    undefined,
  );
});
