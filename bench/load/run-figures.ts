// What the load test reads out of one run's history: retries, size, payloads, and the invariants.
import type { WorkflowHandle } from '@temporalio/client';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

export interface RunFigures {
  events: number;
  /** Attempts beyond the first, over all activities (the history keeps each activity's last attempt). */
  activityRetries: number;
  /** Activities that timed out or failed for good (their last attempt). */
  activityFailures: number;
  /** The largest single payload in the history, in bytes. */
  largestPayloadBytes: number;
  /** Scheduled activities that completed more than once (must be 0: a side effect applied twice). */
  completedTwice: number;
  scheduled: number;
  completed: number;
}

export function runFigures(history: History): RunFigures {
  const events = history.events ?? [];
  let retries = 0;
  let largest = 0;
  const completions = new Map<string, number>();
  for (const e of events) {
    const started = e.activityTaskStartedEventAttributes;
    if (started?.attempt && started.attempt > 1) retries += started.attempt - 1;
    const done = e.activityTaskCompletedEventAttributes;
    if (done) {
      const id = String(done.scheduledEventId);
      completions.set(id, (completions.get(id) ?? 0) + 1);
    }
    largest = Math.max(largest, largestPayload(e));
  }
  return {
    events: events.length,
    activityRetries: retries,
    activityFailures: events.filter(
      (e) => e.activityTaskFailedEventAttributes || e.activityTaskTimedOutEventAttributes,
    ).length,
    largestPayloadBytes: largest,
    completedTwice: [...completions.values()].filter((n) => n > 1).length,
    scheduled: events.filter((e) => e.activityTaskScheduledEventAttributes).length,
    completed: [...completions.values()].reduce((a, b) => a + b, 0),
  };
}

/** The size of the largest `data` byte array anywhere under `v` (a payload's body). */
function largestPayload(v: unknown, depth = 0): number {
  if (depth > 40 || v === null || typeof v !== 'object') return 0;
  if (v instanceof Uint8Array) return v.byteLength;
  let max = 0;
  for (const [k, x] of Object.entries(v)) {
    if (k === 'data' && x instanceof Uint8Array) max = Math.max(max, x.byteLength);
    else max = Math.max(max, largestPayload(x, depth + 1));
  }
  return max;
}

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i]!;
}
