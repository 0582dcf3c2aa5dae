import { z } from 'zod';
import { connectClient, describeRunActivity, queryProgress } from '../../clients';
import { loadConfig } from '../../runtime/config';
import { parseFlags } from '../args';
import type { CliCommand } from '../command';
import { progressLine } from '../progress-line';
import { closedRunError, failureDetail, failureJson, failureLine, runFailureOf } from '../run-failure';
import { runUiUrl } from '../run-ui-url';

const flagsSchema = z.object({ json: z.boolean().default(false), verbose: z.boolean().default(false) });

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'show the state and progress of a compressModel run',
  usage: [
    'usage: stageprune status RUN_ID [--json] [--verbose]',
    '',
    "Prints the run's state, its progress line (stage; inside it a fine-tune's epoch, step, loss and ETA, a",
    "search's episodes, a scan's points) and its Temporal UI link. A failed run prints its root cause in one",
    'line (state, code, message, UI link) and exits 1; --verbose adds the cause chain.',
  ].join('\n'),
  async run(args) {
    const { flags, positionals } = parseFlags(
      args,
      { json: { type: 'boolean' }, verbose: { type: 'boolean' } },
      flagsSchema,
    );
    const runId = positionals[0];
    if (!runId) {
      console.error(this.usage);
      return 2;
    }
    const config = loadConfig();
    const ui = runUiUrl(config, runId);
    const { client, close } = await connectClient(config);
    try {
      // A run that closed without a result is answered by its failure (no progress query: it needs a worker).
      const closed = await closedRunError(client.workflow, runId);
      if (closed) {
        const found = runFailureOf(closed.err, runId, ui);
        if (!found) throw closed.err;
        const failure = { ...found, status: closed.status };
        console.log(flags.json ? JSON.stringify(failureJson(failure)) : failureLine(failure));
        if (flags.verbose) console.error(failureDetail(closed.err as Error));
        return 1;
      }
      const handle = client.workflow.getHandle(runId);
      const status = (await handle.describe()).status.name;
      const [progress, activity] = await Promise.all([
        queryProgress(handle).catch(() => undefined),
        describeRunActivity(client.workflow, runId).catch(() => undefined),
      ]);
      const result = status === 'COMPLETED' ? await handle.result() : undefined;
      if (flags.json) console.log(JSON.stringify({ run_id: runId, status, progress, activity, result }));
      else {
        console.log(`${runId}: ${status}`);
        if (progress) console.log(progressLine(progress, activity));
        console.log(`history: ${ui}`);
      }
      return 0;
    } finally {
      await close();
    }
  },
};
