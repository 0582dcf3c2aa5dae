import type { ActivityOptions } from '@temporalio/workflow';

const transientRetry = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  maximumAttempts: 5,
} as const;

/**
 * How soon a dead worker (kill -9, a lost machine) is noticed for the steps that only send liveness
 * heartbeats (activities/liveness.ts, every 5 s); without it a lost evaluation waited for its one-hour
 * start-to-close timeout. Generous, because a heartbeat can only be sent between synchronous stretches of
 * graph work (about a second each for yolov8x).
 */
const livenessTimeout = '2 minutes';

/** Short graph/storage work: seconds to minutes, retried with backoff on transient failures. */
export const shortActivity: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: livenessTimeout,
  retry: transientRetry,
};

/** Evaluation and latency: minutes; a worker that dies is noticed through the liveness heartbeat. */
export const evaluationActivity: ActivityOptions = {
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: livenessTimeout,
  retry: transientRetry,
};

/**
 * Training: hours. A dead trainer or worker is caught by the heartbeat timeout (the activity heartbeats on
 * every progress line), and the retry resumes from the checkpoint named in the last heartbeat.
 */
export const trainingActivity: ActivityOptions = {
  startToCloseTimeout: '24 hours',
  heartbeatTimeout: '2 minutes',
  retry: { ...transientRetry, maximumAttempts: 10 },
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
};

/**
 * Latency measurement: a table of hundreds of timed models can take most of an hour; it heartbeats per model.
 * Few retries: a measurement that keeps failing is a broken model or provider, not a transient fault.
 */
export const measurementActivity: ActivityOptions = {
  startToCloseTimeout: '4 hours',
  heartbeatTimeout: '5 minutes',
  retry: { ...transientRetry, maximumAttempts: 3 },
};
