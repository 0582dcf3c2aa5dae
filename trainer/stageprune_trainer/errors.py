"""Typed trainer errors. Each class carries the process exit code and a stable code string that the
TypeScript side maps to its own error family (runtime/trainer-process.ts)."""

from __future__ import annotations

# Exit codes (documented in trainer/README.md; mirrored in runtime/trainer/exit-codes.ts).
EXIT_OK = 0
EXIT_INTERNAL = 1  # a bug or an unexpected environment failure (traceback on stderr)
EXIT_JOB_INVALID = 2  # the job file or the command line is invalid
EXIT_INPUT = 3  # a model, dataset or checkpoint cannot be used (wrong model, no images, class mismatch, ...)
EXIT_DIVERGED = 4  # the loss became NaN/inf; the last good checkpoint is kept
EXIT_INTERRUPTED = 75  # SIGTERM/SIGINT: a checkpoint was written, resume with --resume (EX_TEMPFAIL)


class TrainerError(Exception):
    exit_code = EXIT_INTERNAL
    code = "TRAINER_INTERNAL"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code


class JobError(TrainerError):
    exit_code = EXIT_JOB_INVALID
    code = "JOB_INVALID"


class InputError(TrainerError):
    exit_code = EXIT_INPUT
    code = "INPUT_INVALID"


class ModelError(InputError):
    code = "MODEL_UNSUPPORTED"


class DatasetError(InputError):
    code = "DATASET_INVALID"


class CheckpointError(InputError):
    code = "CHECKPOINT_MISMATCH"


class DeviceError(InputError):
    """`device: cuda` where torch sees no CUDA device: refused before any training (no silent CPU run)."""

    code = "DEVICE_UNAVAILABLE"


class DivergedError(TrainerError):
    exit_code = EXIT_DIVERGED
    code = "LOSS_DIVERGED"
