import { StagepruneError } from '../../errors';

/** Stable codes of the search's typed errors. */
export type SearchErrorCode = 'SEARCH_STATE_INVALID' | 'SEARCH_RESULTS_MISMATCH';

/**
 * A stored search state that does not parse, or results that are not for the episodes the state proposed:
 * both fail the same way on retry, so they are input errors.
 */
export class SearchError extends StagepruneError {
  declare readonly code: SearchErrorCode;

  constructor(code: SearchErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, isInputError: true });
  }
}
