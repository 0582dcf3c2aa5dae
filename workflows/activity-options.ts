import type { ActivityOptions } from '@temporalio/workflow';

/** Short graph/storage work: a few seconds to minutes, retried with backoff on transient failures. */
export const shortActivity: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 5,
  },
};
