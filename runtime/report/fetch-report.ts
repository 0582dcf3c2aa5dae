import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { REPORT_HTML, RUN_MANIFEST } from '../../common/report-location';
import { runPrefix } from '../../common/run-prefix';
import { ArtifactMissingError, type ArtifactStore } from '../artifacts';
import { ReportError } from './errors';

/** A file name inside the run's folder: relative, no `..`, no backslashes or control characters. */
const safeName = z
  .string()
  .min(1)
  .max(300)
  .refine(
    (s) =>
      !s.startsWith('/') &&
      !s.split('/').some((part) => part === '' || part === '.' || part === '..') &&
      !s.includes('\\') &&
      ![...s].some((c) => c.charCodeAt(0) < 0x20),
    'a relative file name inside the run folder',
  );

/** What `stageprune report` reads from the manifest writeReport stores (older manifests lack `files`). */
const manifestSchema = z.looseObject({
  run_id: z.string().optional(),
  files: z.array(z.unknown()).optional(),
});

export interface FetchedReport {
  runId: string;
  dir: string;
  /** The HTML report as `index.html` in `dir`. */
  index: string;
  files: string[];
}

/**
 * Copies a run's report folder (`runs/<id>/` in the bucket: report.html, report.md, report.json, plots,
 * pictures, manifest.json) into `dir`, and the HTML report once more as `index.html`, the page to open.
 */
export async function fetchRunReport(
  store: ArtifactStore,
  runId: string,
  dir: string,
): Promise<FetchedReport> {
  const prefix = runPrefix(runId);
  let raw: unknown;
  try {
    raw = await store.getJson(`${prefix}${RUN_MANIFEST}`);
  } catch (err) {
    if (!(err instanceof ArtifactMissingError)) throw err;
    throw new ReportError(
      'REPORT_NOT_FOUND',
      `no report for run '${runId}' (s3://${store.bucket}/${prefix}${RUN_MANIFEST} does not exist): the run has ` +
        'not reached its report step, or the ID is wrong (`stageprune status RUN_ID`)',
      { cause: err },
    );
  }
  const manifest = manifestSchema.parse(raw);
  // Runs reported before the manifest listed its files: everything under the run's prefix.
  const listed =
    manifest.files ?? (await store.list(store.bucket, prefix)).map((o) => o.key.slice(prefix.length));
  const names: string[] = [];
  for (const name of new Set([...listed, RUN_MANIFEST])) {
    const ok = safeName.safeParse(name);
    if (!ok.success)
      throw new ReportError(
        'REPORT_FILE_UNSAFE',
        `run '${runId}': refusing report file ${JSON.stringify(name)}`,
      );
    names.push(ok.data);
  }
  if (!names.includes(REPORT_HTML)) {
    throw new ReportError(
      'REPORT_HTML_MISSING',
      `run '${runId}' has no ${REPORT_HTML} (reported before the HTML report existed); its Markdown report is ` +
        `s3://${store.bucket}/${prefix}report.md`,
    );
  }
  const root = path.resolve(dir);
  for (const name of names) {
    const bytes = await store.getObject(store.bucket, `${prefix}${name}`);
    const file = path.join(root, ...name.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, bytes);
  }
  const index = path.join(root, 'index.html');
  await writeFile(index, await store.getObject(store.bucket, `${prefix}${REPORT_HTML}`));
  return { runId, dir: root, index, files: names };
}
