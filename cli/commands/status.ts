import { z } from 'zod';
import { connectClient, queryProgress } from '../../clients';
import { loadConfig } from '../../runtime/config';
import { parseFlags } from '../args';
import type { CliCommand } from '../command';
import { progressLine } from './run';

const flagsSchema = z.object({ json: z.boolean().default(false) });

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'show the state and progress of a compressModel run',
  usage: 'usage: stageprune status RUN_ID [--json]',
  async run(args) {
    const { flags, positionals } = parseFlags(args, { json: { type: 'boolean' } }, flagsSchema);
    const runId = positionals[0];
    if (!runId) {
      console.error(this.usage);
      return 2;
    }
    const config = loadConfig();
    const { client, close } = await connectClient(config);
    try {
      const handle = client.workflow.getHandle(runId);
      const desc = await handle.describe();
      const progress = await queryProgress(handle).catch(() => undefined);
      const status = desc.status.name;
      const result = status === 'COMPLETED' ? await handle.result() : undefined;
      if (flags.json) console.log(JSON.stringify({ run_id: runId, status, progress, result }));
      else {
        console.log(`${runId}: ${status}`);
        if (progress) console.log(progressLine(progress));
        console.log(
          `history: http://127.0.0.1:${config.temporal.uiPort}/namespaces/${config.temporal.namespace}/workflows/${runId}`,
        );
      }
      return 0;
    } finally {
      await close();
    }
  },
};
