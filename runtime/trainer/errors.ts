import { StagepruneError } from '../../core/errors';

/** The trainer subprocess's exit codes (trainer/stageprune_trainer/errors.py). */
export const TRAINER_EXIT = {
  ok: 0,
  internal: 1,
  jobInvalid: 2,
  input: 3,
  diverged: 4,
  interrupted: 75,
} as const;

/** A trainer run that failed; `code` is the trainer's own code (e.g. CLASS_COUNT_MISMATCH) when it sent one. */
export class TrainerError extends StagepruneError {
  readonly exitCode: number | null;
  readonly stderrTail: string;

  constructor(code: string, message: string, options: { exitCode: number | null; stderrTail?: string; isInputError?: boolean; cause?: unknown }) {
    super(code, message, { isInputError: options.isInputError ?? false, cause: options.cause });
    this.exitCode = options.exitCode;
    this.stderrTail = options.stderrTail ?? '';
  }
}

/** Exit 2: the job file is invalid. Retrying the same job cannot help. */
export class TrainerJobError extends TrainerError {}

/** Exit 3: a model, dataset or checkpoint cannot be used. */
export class TrainerInputError extends TrainerError {}

/** The trainer's code for `device: cuda` where torch sees no CUDA device. */
export const DEVICE_UNAVAILABLE = 'DEVICE_UNAVAILABLE';

/**
 * Exit 3 with DEVICE_UNAVAILABLE: the job asked for `cuda` and torch sees no CUDA device. Raised before any
 * training; retrying on the same machine cannot help (an input error: non-retryable in the pipeline).
 */
export class TrainerDeviceError extends TrainerInputError {
  constructor(message: string, options: { exitCode: number | null; stderrTail?: string }) {
    super(DEVICE_UNAVAILABLE, message, { ...options, isInputError: true });
  }
}

/** Exit 4: the loss diverged. */
export class TrainerDivergedError extends TrainerError {}

/** Exit 75 after SIGTERM: a checkpoint was written; resume from `checkpoint`. */
export class TrainerInterruptedError extends TrainerError {
  readonly checkpoint: string | null;
  readonly step: number | null;
  constructor(message: string, options: { exitCode: number | null; checkpoint: string | null; step: number | null; cancelled: boolean }) {
    super(options.cancelled ? 'TRAINER_CANCELLED' : 'TRAINER_INTERRUPTED', message, { exitCode: options.exitCode, isInputError: false });
    this.checkpoint = options.checkpoint;
    this.step = options.step;
  }
}

/** Crashes, unexpected exit codes, a missing Python, a run that ended without its `done` line. */
export class TrainerCrashError extends TrainerError {}
