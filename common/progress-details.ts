// Progress below compressModel's `progress` query: what its activities heartbeat and its children answer.

/**
 * Where a training activity (fine-tune, sparsify, NetAdapt's short fine-tunes) is, as it heartbeats it: the
 * Temporal UI shows it as the pending activity's heartbeat details, and the CLI's progress line reads it
 * from `describe()` (a workflow cannot see its activities' heartbeats, so the `progress` query cannot).
 */
export interface TrainingProgress {
  step: number;
  steps: number;
  /** Fractional epoch, as the trainer counts it. */
  epoch?: number;
  epochs?: number;
  /** The sum of the trainer's loss parts over its last logging window. */
  loss?: number;
  /** The trainer's estimate of the seconds left in this process. */
  etaSeconds?: number;
}

/** A fan-out's progress (the sensitivity scan's points), as its child workflow's query answers it. */
export interface FanOutProgress {
  done: number;
  total: number;
}
