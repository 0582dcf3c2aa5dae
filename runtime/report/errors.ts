import { StagepruneError } from '../../core/errors';

export type ReportErrorCode =
  /** No manifest under runs/<id>/: the run has not finished its report step, or the ID is wrong. */
  | 'REPORT_NOT_FOUND'
  /** The run's report has no report.html (written before the HTML report existed). */
  | 'REPORT_HTML_MISSING'
  /** The manifest names a file outside the run's folder (a corrupt or hostile manifest). */
  | 'REPORT_FILE_UNSAFE'
  /** `--open` found no program to hand the page to. */
  | 'REPORT_NO_BROWSER';

/** Fetching or opening a run's report. */
export class ReportError extends StagepruneError {
  declare readonly code: ReportErrorCode;
  constructor(code: ReportErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
  }
}
