import { StagepruneError } from '../core/errors';

/** An activity's input is wrong (bad URI, empty dataset, missing scan): non-retryable, typed by `code`. */
export class ActivityInputError extends StagepruneError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}
