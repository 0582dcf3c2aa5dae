"""python -m stageprune_trainer JOB.json [--resume CHECKPOINT]

Exit codes: 0 done, 1 internal error, 2 invalid job/arguments, 3 unusable input (model, dataset,
checkpoint, class mismatch), 4 loss diverged, 75 interrupted by SIGTERM/SIGINT after a checkpoint."""

from __future__ import annotations

import argparse
import sys
import traceback

from .errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_JOB_INVALID, EXIT_OK, TrainerError
from .progress import emit


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="stageprune_trainer", description="stageprune trainer subprocess")
    parser.add_argument("job", help="job file (JSON)")
    parser.add_argument("--resume", metavar="CHECKPOINT", help="continue from this checkpoint's exact step")
    from .signals import install, stop

    install()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return EXIT_JOB_INVALID if e.code else EXIT_OK
    try:
        from .job import read_job
        from .train import Run

        job = read_job(args.job)
        run = Run(job)
        if args.resume:
            run.resume(args.resume)
        run.train()
        # a signal that arrives after the last step (writing the model, Taylor scores) does not undo the run
        return EXIT_OK if run.finished else EXIT_INTERRUPTED if stop["signal"] else EXIT_INTERNAL
    except TrainerError as e:
        emit("error", code=e.code, message=str(e), exit_code=e.exit_code)
        print(f"stageprune_trainer: {e.code}: {e}", file=sys.stderr)
        return e.exit_code
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        emit("error", code="TRAINER_INTERNAL", message=f"{type(e).__name__}: {e}", exit_code=EXIT_INTERNAL)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
