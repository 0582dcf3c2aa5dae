import { z } from 'zod';
import { LocalStack, stackOptionsFromConfig, type StackStatus } from '../../infra/stack';
import { loadConfig } from '../../runtime/config';
import { parseFlags } from '../args';
import type { CliCommand } from '../command';

const flagsSchema = z.object({ json: z.boolean().default(false) });

function describe(status: StackStatus): string {
  const t = status.temporal;
  const s = status.s3;
  return [
    `temporal  ${t.state.padEnd(8)} ${t.healthy ? 'healthy' : 'unreachable'}  ${t.address}  namespace=${t.namespace}  ui=${t.ui}${t.pid ? `  pid=${t.pid}` : ''}`,
    `s3        ${s.state.padEnd(8)} ${s.healthy ? 'healthy' : 'unreachable'}  ${s.address}  bucket=${s.bucket}  console=${s.console}${s.pid ? `  pid=${s.pid}` : ''}`,
  ].join('\n');
}

export const stackCommand: CliCommand = {
  name: 'stack',
  summary: 'start, stop or inspect the local Temporal dev server and MinIO (up|down|status)',
  usage:
    'usage: stageprune stack up|down|status [--json]\n\nState lives under .stageprune/ (STAGEPRUNE_HOME).',
  async run(args) {
    const { flags, positionals } = parseFlags(args, { json: { type: 'boolean' } }, flagsSchema);
    const action = positionals[0];
    const stack = new LocalStack(stackOptionsFromConfig(loadConfig()));
    const print = (value: unknown, text: string) => console.log(flags.json ? JSON.stringify(value) : text);
    switch (action) {
      case 'up': {
        const status = await stack.up();
        print(status, describe(status));
        return 0;
      }
      case 'down': {
        const stopped = await stack.down();
        print(
          stopped,
          `temporal ${stopped.temporal ? 'stopped' : 'was not running'}\ns3       ${stopped.s3 ? 'stopped' : 'was not running'}`,
        );
        return 0;
      }
      case 'status': {
        const status = await stack.status();
        print(status, describe(status));
        return status.temporal.healthy && status.s3.healthy ? 0 : 1;
      }
      default:
        console.error(this.usage);
        return 2;
    }
  },
};
