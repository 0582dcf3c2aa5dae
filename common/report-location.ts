import { runPrefix } from './run-prefix';

/**
 * Where a run's report lives: `runs/<run id>/report.html` next to report.md, report.json, the plots, the
 * pictures and manifest.json. Pure, so the workflow (its memo), the CLI (`run --wait`, `report`) and
 * writeReport all name the same object.
 */
export const REPORT_HTML = 'report.html';
export const RUN_MANIFEST = 'manifest.json';

export function reportHtmlKey(runId: string): string {
  return `${runPrefix(runId)}${REPORT_HTML}`;
}

export function reportHtmlUri(bucket: string, runId: string): string {
  return `s3://${bucket}/${reportHtmlKey(runId)}`;
}
