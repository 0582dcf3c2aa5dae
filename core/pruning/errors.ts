import { StagepruneError } from '../errors';

/** Stable codes of the pruning engine's typed errors. */
export type PruneErrorCode =
  | 'PRUNE_RATIO_INVALID'
  | 'PRUNE_UNIT_UNKNOWN'
  | 'PRUNE_UNIT_FROZEN'
  | 'PRUNE_NEEDS_BN'
  | 'PRUNE_CALIBRATION_MISSING'
  | 'PRUNE_CRITERION_UNKNOWN'
  | 'PRUNE_PLAN_INVALID'
  | 'PRUNE_SCORES_INVALID'
  | 'PRUNE_RULE_DUPLICATE'
  | 'PRUNE_CUSTOM_OP_LIBRARY_INVALID'
  | 'PRUNE_SURGERY_FAILED';

/**
 * Every error the pruning engine raises. Input errors (bad ratio, unknown unit, a criterion the model cannot
 * support) are not retryable; `PRUNE_SURGERY_FAILED` and `PRUNE_RULE_DUPLICATE` are programming errors.
 */
export class PruneError extends StagepruneError {
  declare readonly code: PruneErrorCode;

  constructor(code: PruneErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, {
      ...options,
      isInputError: code !== 'PRUNE_SURGERY_FAILED' && code !== 'PRUNE_RULE_DUPLICATE',
    });
  }
}
