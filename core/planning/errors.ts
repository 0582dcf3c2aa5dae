import { StagepruneError } from '../errors';

/** Stable codes of the planners' typed errors. */
export type PlanErrorCode = 'PLAN_TARGET_UNREACHABLE' | 'PLAN_TARGET_INVALID' | 'PLAN_SCAN_INVALID';

/**
 * Every error a planner raises. All are input errors: an unreachable target, a malformed target, or scan
 * results that contradict themselves will fail the same way on retry, so the activity must not retry them.
 */
export class PlanError extends StagepruneError {
  declare readonly code: PlanErrorCode;

  constructor(code: PlanErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, isInputError: true });
  }
}
