import type { ActivityOptions } from '@temporalio/workflow';

const transientRetry = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  maximumAttempts: 5,
} as const;

/** Short graph/storage work: seconds to minutes, retried with backoff on transient failures. */
export const shortActivity: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  retry: transientRetry,
};

/** Evaluation and latency: minutes; a worker that dies is noticed through the heartbeat-free timeout. */
export const evaluationActivity: ActivityOptions = {
  startToCloseTimeout: '1 hour',
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
