// Models with custom-domain ops load in onnxruntime only with the library that implements them.
// onnxruntime-node's JavaScript API cannot register such a library, so the check runs in the project
// venv's Python onnxruntime (trainer/stageprune_trainer/ort_check.py).

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Model } from '../../core/onnx/model';
import { PruneError } from '../../core/pruning/errors';
import { venvPython } from '../paths';
import { trainerDir } from '../trainer-process';

/** Ops outside the default ONNX domains: onnxruntime needs their library to load the model. */
export function customOps(model: Model): string[] {
  const standard = new Set(['', 'ai.onnx', 'ai.onnx.ml']);
  return [
    ...new Set(
      model.graph.nodes.filter((n) => !standard.has(n.domain)).map((n) => `${n.domain}.${n.opType}`),
    ),
  ];
}

/** Loads `bytes` in onnxruntime with `library` registered; typed errors for a bad library or model. */
export async function checkWithCustomOpLibrary(bytes: Uint8Array, library: string): Promise<void> {
  if (!existsSync(library))
    throw new PruneError('PRUNE_CUSTOM_OP_LIBRARY_INVALID', `custom op library not found: ${library}`);
  const dir = await mkdtemp(path.join(tmpdir(), 'stageprune-ortcheck-'));
  try {
    const file = path.join(dir, 'model.onnx');
    await writeFile(file, bytes);
    const args = ['-m', 'stageprune_trainer.ort_check', file, '--custom-op-library', path.resolve(library)];
    const out = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(venvPython(), args, { cwd: trainerDir, timeout: 120_000 }, (err, stdout) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout }),
      );
    });
    if (out.code === 0) return;
    let message = out.stdout.trim() || `exit code ${out.code}`;
    try {
      message = (JSON.parse(out.stdout.trim().split('\n').pop()!) as { message: string }).message;
    } catch {
      /* not JSON: keep the raw text */
    }
    if (out.code === 2)
      throw new PruneError('PRUNE_CUSTOM_OP_LIBRARY_INVALID', `cannot register ${library}: ${message}`);
    throw new PruneError(
      'PRUNE_SURGERY_FAILED',
      `the pruned model does not load in onnxruntime with ${library}: ${message}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
