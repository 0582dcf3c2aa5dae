import { ApplicationFailure } from '@temporalio/activity';
import { isStagepruneError } from '../core/errors';

/**
 * The activity boundary: typed stageprune errors become ApplicationFailures whose type is the error's
 * stable code; input errors are non-retryable, everything else keeps Temporal's retry policy.
 */
export function toApplicationFailure(err: unknown): unknown {
  if (!isStagepruneError(err)) return err;
  return ApplicationFailure.create({
    type: err.code,
    message: err.message,
    nonRetryable: err.isInputError,
    cause: err.cause instanceof Error ? err.cause : undefined,
  });
}

/** Wraps an activity implementation so its typed errors cross the boundary as described above. */
export function withFailureMapping<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw toApplicationFailure(err);
    }
  };
}
