import { Context } from '@temporalio/activity';

/** How often a running activity reports that its worker is alive; well under every heartbeat timeout. */
export const LIVENESS_INTERVAL_MS = 5_000;

/**
 * Heartbeats on a timer while `fn` runs, so a heartbeat timeout notices a dead worker (kill -9, a lost
 * machine) in seconds to minutes instead of at the start-to-close timeout (an hour for evaluation). For
 * activities that heartbeat no details of their own: an empty heartbeat replaces earlier details, so the
 * fine-tune and Taylor steps, which beat themselves, are not wrapped.
 */
export function withLivenessHeartbeat<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  everyMs = LIVENESS_INTERVAL_MS,
): (...args: A) => Promise<R> {
  return async (...args: A) => {
    let ctx: Context;
    try {
      ctx = Context.current();
    } catch {
      return fn(...args); // called outside an activity (a script, a test): nothing to report to
    }
    const timer = setInterval(() => ctx.heartbeat(), everyMs);
    try {
      return await fn(...args);
    } finally {
      clearInterval(timer);
    }
  };
}
