import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot, venvPython } from './paths';
import {
  DEVICE_UNAVAILABLE,
  TRAINER_EXIT,
  TrainerCrashError,
  TrainerDeviceError,
  TrainerDivergedError,
  TrainerError,
  TrainerInputError,
  TrainerInterruptedError,
  TrainerJobError,
} from './trainer/errors';
import {
  parseTrainerLine,
  type DoneEvent,
  type ErrorEvent,
  type InterruptedEvent,
  type TrainerEvent,
} from './trainer/events';
import type { TrainerJob } from './trainer/job';

export * from './trainer/errors';
export * from './trainer/events';
export type { TrainerJob, TrainerDataSpec } from './trainer/job';

/** Where the Python package lives (run with PYTHONPATH=trainer). */
export const trainerDir = path.join(repoRoot, 'trainer');

export interface RunTrainerOptions {
  readonly jobFile: string;
  /** Continue from this checkpoint's exact step. */
  readonly resume?: string;
  /** Aborting sends SIGTERM (the trainer writes a checkpoint and exits 75); SIGKILL after `killAfterMs`. */
  readonly signal?: AbortSignal;
  readonly killAfterMs?: number;
  readonly onEvent?: (event: TrainerEvent) => void;
  /** Every stderr line (warnings, tracebacks); the last lines are also kept on errors. */
  readonly onStderr?: (line: string) => void;
  readonly python?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Writes a job as JSON (creating the folder) and returns its path. */
export async function writeTrainerJob(file: string, job: TrainerJob): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(job, null, 2)}\n`);
  return file;
}

/**
 * Runs `python -m stageprune_trainer JOB [--resume CKPT]` from the project venv, turns its JSON-lines stdout
 * into typed events, and resolves with the final `done` event. Non-zero exits reject with a typed error:
 * TrainerJobError (2), TrainerInputError (3; TrainerDeviceError when it is DEVICE_UNAVAILABLE),
 * TrainerDivergedError (4), TrainerInterruptedError (75, also on cancel, carrying the checkpoint),
 * TrainerCrashError (anything else).
 */
export function runTrainer(options: RunTrainerOptions): Promise<DoneEvent> {
  const python = options.python ?? venvPython();
  const args = [
    '-m',
    'stageprune_trainer',
    options.jobFile,
    ...(options.resume ? ['--resume', options.resume] : []),
  ];
  const env = { ...process.env, ...options.env, PYTHONPATH: trainerDir, PYTHONUNBUFFERED: '1' };
  return new Promise<DoneEvent>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(
        new TrainerInterruptedError('cancelled before the trainer started', {
          exitCode: null,
          checkpoint: null,
          step: null,
          cancelled: true,
        }),
      );
      return;
    }
    const child = spawn(python, args, { cwd: trainerDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stderrTail: string[] = [];
    let done: DoneEvent | undefined;
    let failure: ErrorEvent | undefined;
    let interrupted: InterruptedEvent | undefined;
    let lastCheckpoint: string | null = null;
    let lastStep: number | null = null;
    let cancelled = false;
    let killTimer: NodeJS.Timeout | undefined;

    const onAbort = () => {
      cancelled = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 60_000);
      killTimer.unref();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = parseTrainerLine(line);
      if (!event) return;
      if (event.event === 'done') done = event;
      else if (event.event === 'error') failure = event;
      else if (event.event === 'interrupted') interrupted = event;
      else if (event.event === 'progress') {
        lastCheckpoint = event.checkpoint ?? lastCheckpoint;
        lastStep = event.step;
      } else if (event.event === 'resumed') lastCheckpoint = event.checkpoint;
      options.onEvent?.(event);
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 40) stderrTail.shift();
      options.onStderr?.(line);
    });

    child.on('error', (err) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(
        new TrainerCrashError(
          'TRAINER_SPAWN_FAILED',
          `cannot start ${python}: ${err.message} (run infra/setup.sh)`,
          { exitCode: null, cause: err },
        ),
      );
    });
    child.on('close', (code, sig) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      const tail = stderrTail.join('\n');
      const message = failure?.message ?? (tail.split('\n').slice(-5).join('\n') || `exit ${code ?? sig}`);
      const opts = { exitCode: code, stderrTail: tail };
      if (code === TRAINER_EXIT.ok && done) return resolve(done);
      if (code === TRAINER_EXIT.ok)
        return reject(
          new TrainerCrashError('TRAINER_PROTOCOL', 'the trainer exited 0 without a done line', opts),
        );
      if (code === TRAINER_EXIT.interrupted || (cancelled && code === null)) {
        return reject(
          new TrainerInterruptedError(
            interrupted
              ? `stopped at step ${interrupted.step}; checkpoint ${interrupted.checkpoint}`
              : `stopped (${sig ?? code}) without a final checkpoint`,
            {
              exitCode: code,
              checkpoint: interrupted?.checkpoint ?? lastCheckpoint,
              step: interrupted?.step ?? lastStep,
              cancelled,
            },
          ),
        );
      }
      const errCode = failure?.code ?? 'TRAINER_CRASHED';
      let err: TrainerError;
      if (code === TRAINER_EXIT.jobInvalid)
        err = new TrainerJobError(errCode, message, { ...opts, isInputError: true });
      else if (code === TRAINER_EXIT.input && errCode === DEVICE_UNAVAILABLE)
        err = new TrainerDeviceError(message, opts);
      else if (code === TRAINER_EXIT.input)
        err = new TrainerInputError(errCode, message, { ...opts, isInputError: true });
      else if (code === TRAINER_EXIT.diverged) err = new TrainerDivergedError(errCode, message, opts);
      else err = new TrainerCrashError(errCode, `trainer exited ${code ?? sig}: ${message}`, opts);
      reject(err);
    });
  });
}
