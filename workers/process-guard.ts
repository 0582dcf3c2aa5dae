import { currentActivity } from '../activities/current-activity';

export interface ProcessGuardOptions {
  /** Where the one-line reports go (default: stderr). */
  log?: (line: string) => void;
  /** How the process ends for an error that belongs to no activity (default: process.exit). */
  exit?: (code: number) => void;
}

/**
 * Keeps one activity's stray error from ending the worker process. Node ends a process on an unhandled
 * rejection or an uncaught exception; in a worker that kills every activity it runs, and each then waits
 * for its timeout and starts over elsewhere (issue 17: one unawaited checkpoint upload did that).
 *
 * An error raised in an activity's async context (the SDK's AsyncLocalStorage follows promises and timers,
 * and Node emits both events in the context of the failing promise or callback) is logged with the
 * activity's identity and the worker goes on. An error that belongs to no activity is the worker's own, its
 * state is unknown, so it is logged and the process exits non-zero as Node would have: the supervisor
 * (systemd, Kubernetes, `stack up`) starts a fresh one and Temporal retries what it was running.
 *
 * Returns a function that removes the handlers again.
 */
export function installProcessGuard(options: ProcessGuardOptions = {}): () => void {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const report = (kind: 'unhandledRejection' | 'uncaughtException', err: unknown) => {
    const activity = currentActivity();
    const what = err instanceof Error ? (err.stack ?? err.message) : String(err);
    if (activity) {
      log(
        JSON.stringify({
          level: 'error',
          event: kind,
          message: `${kind} in activity ${activity.activityType} (id ${activity.activityId}, attempt ${activity.attempt}); the worker goes on`,
          ...activity,
          error: what,
        }),
      );
      return;
    }
    log(
      JSON.stringify({
        level: 'fatal',
        event: kind,
        message: `${kind} outside any activity; the worker exits`,
        error: what,
      }),
    );
    exit(1);
  };
  const onRejection = (reason: unknown) => report('unhandledRejection', reason);
  const onException = (err: unknown) => report('uncaughtException', err);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
