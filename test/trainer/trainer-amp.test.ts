// AMP bookkeeping that a CPU can check: the checkpoint carries the GradScaler's state, and the gradients
// of an unfinished accumulation window are rescaled when a resume switches AMP on or off (CPU ↔ CUDA), so
// the window ends with the gradients it would have had. The CUDA run itself is bench/gpu-check.sh's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot, venvPython } from '../../runtime/paths';
import { runTrainer, writeTrainerJob } from '../../runtime/trainer-process';
import { tempDir, tinyJob, tinyModel, trainerSkipReason } from './tiny-fixtures';

const skip = trainerSkipReason();

function python(code: string): unknown {
  const r = spawnSync(venvPython(), ['-c', code], {
    cwd: path.join(repoRoot, 'trainer'),
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

test('resume rescales a window of gradients to the scaler of the device it resumes on', { skip }, () => {
  const r = python(
    [
      'import json',
      'from stageprune_trainer.checkpoint import grad_rescale',
      'amp = {"scale": 1024.0, "growth_factor": 2.0, "backoff_factor": 0.5, "growth_interval": 2000, "_growth_tracker": 3}',
      'print(json.dumps([grad_rescale({}, False, 1.0), grad_rescale(amp, True, 1024.0),',
      '                  grad_rescale({}, True, 65536.0), grad_rescale(amp, False, 1.0)]))',
    ].join('\n'),
  );
  // cpu→cpu and cuda→cuda: unchanged; cpu→cuda: ×65536 (the fresh scaler's scale); cuda→cpu: ÷1024.
  assert.deepEqual(r, [1, 1, 65536, 1 / 1024]);
});

test('a checkpoint holds the grad scaler state and the loader pins memory only when asked', { skip, timeout: 180_000 }, async () => {
  const dir = tempDir('amp');
  const model = tinyModel(dir);
  const jobFile = await writeTrainerJob(
    path.join(dir, 'job.json'),
    tinyJob(dir, model, { epochs: 1, max_steps: 1, device: 'cpu' }),
  );
  const done = await runTrainer({ jobFile });
  const r = python(
    [
      'import json, torch',
      'from stageprune_trainer import checkpoint',
      `ck = checkpoint.load(${JSON.stringify(done.checkpoint)})`,
      'from stageprune_trainer.loader import make_loader',
      'import inspect',
      'sig = inspect.signature(make_loader)',
      'print(json.dumps({"has_scaler": "scaler" in ck, "scaler": ck["scaler"], "pin_default": sig.parameters["pin_memory"].default}))',
    ].join('\n'),
  );
  // On the CPU the scaler is disabled and saves {}: the case grad_rescale and resume() handle.
  assert.deepEqual(r, { has_scaler: true, scaler: {}, pin_default: false });
});
