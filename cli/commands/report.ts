import path from 'node:path';
import { z } from 'zod';
import { S3ArtifactStore, createS3Client } from '../../runtime/artifacts';
import { loadConfig } from '../../runtime/config';
import { stateDir } from '../../runtime/paths';
import { fetchRunReport } from '../../runtime/report/fetch-report';
import { ReportError } from '../../runtime/report/errors';
import { openInBrowser } from '../../runtime/report/open-in-browser';
import { connectClient } from '../../clients';
import type { StagepruneConfig } from '../../runtime/config';
import { CliUsageError, parseFlags } from '../args';
import type { CliCommand } from '../command';
import { closedRunError, printRunFailure } from '../run-failure';
import { runUiUrl } from '../run-ui-url';

const flagsSchema = z.object({
  out: z.string().min(1, { message: 'must name a folder' }).optional(),
  open: z.boolean().default(false),
  json: z.boolean().default(false),
  verbose: z.boolean().default(false),
});

const options = {
  out: { type: 'string' },
  open: { type: 'boolean' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
} as const;

/** Workflow IDs are free text; this one only has to be something a run could be called. */
const runIdSchema = z.string().min(1).max(1000);

export const reportCommand: CliCommand = {
  name: 'report',
  summary: "fetch a run's report (HTML, Markdown, plots, pictures) from S3 and print the path of index.html",
  usage: [
    'usage: stageprune report RUN_ID [--out DIR] [--open] [--json] [--verbose]',
    '',
    'Copies s3://<bucket>/runs/RUN_ID/ into DIR (default .stageprune/reports/RUN_ID) and prints the path',
    'of its index.html, a self-contained page; --open hands it to the browser (xdg-open). A run that failed',
    'before its report prints its root cause in one line (code, message, UI link) and exits 1.',
  ].join('\n'),
  async run(args) {
    const { flags, positionals } = parseFlags(args, options, flagsSchema);
    if (positionals.length !== 1) throw new CliUsageError(`expected one RUN_ID\n${this.usage}`);
    const runId = runIdSchema.safeParse(positionals[0]);
    if (!runId.success) throw new CliUsageError('RUN_ID must be 1 to 1000 characters');
    const config = loadConfig();
    const s3 = createS3Client(config.s3);
    try {
      const store = new S3ArtifactStore(s3, config.s3.bucket);
      const dir = flags.out ?? path.join(stateDir, 'reports', encodeURIComponent(runId.data));
      let fetched;
      try {
        fetched = await fetchRunReport(store, runId.data, dir);
      } catch (err) {
        if (!(err instanceof ReportError && err.code === 'REPORT_NOT_FOUND')) throw err;
        // No report: a run that failed before its report step says why; otherwise the missing report does.
        const closed = await closedRunWithoutResult(config, runId.data);
        if (!closed) throw err;
        return printRunFailure(closed.err, runId.data, runUiUrl(config, runId.data), flags);
      }
      console.log(
        flags.json
          ? JSON.stringify({
              run_id: fetched.runId,
              dir: fetched.dir,
              index: fetched.index,
              files: fetched.files,
            })
          : fetched.index,
      );
      // After the path is printed: with no browser to hand it to, the page is still there to open by hand.
      if (flags.open) openInBrowser(fetched.index);
      return 0;
    } finally {
      s3.destroy();
    }
  },
};

/** The run's failure when Temporal knows it closed without a result; undefined otherwise or unreachable. */
async function closedRunWithoutResult(config: StagepruneConfig, runId: string) {
  try {
    const { client, close } = await connectClient(config);
    try {
      return await closedRunError(client.workflow, runId);
    } finally {
      await close();
    }
  } catch {
    return undefined;
  }
}
