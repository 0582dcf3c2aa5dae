import { z } from 'zod';
import { LocalStack, stackOptionsFromConfig, type StackStatus } from '../../infra/stack';
import {
  ProductionStack,
  productionOptionsFromConfig,
  type ProductionServiceStatus,
} from '../../infra/stack/production';
import { loadConfig } from '../../runtime/config';
import { parseFlags } from '../args';
import type { CliCommand } from '../command';

const count = z.coerce.number().int().min(0).max(64).optional();
const flagsSchema = z.object({
  json: z.boolean().default(false),
  profile: z.enum(['dev', 'production']).default('dev'),
  'cpu-workers': count,
  'gpu-workers': count,
});

/** The dev profile's status, one line per service; `external` where another process answers. */
export function describe(status: StackStatus): string {
  const t = status.temporal;
  const s = status.s3;
  return [
    `temporal  ${t.state.padEnd(8)} ${t.healthy ? 'healthy' : 'unreachable'}  ${t.address}  namespace=${t.namespace}  ui=${t.ui}${t.pid ? `  pid=${t.pid}` : ''}${t.detail ? `  (${t.detail})` : ''}`,
    `s3        ${s.state.padEnd(8)} ${s.healthy ? 'healthy' : 'unreachable'}  ${s.address}  bucket=${s.bucket}  console=${s.console}${s.pid ? `  pid=${s.pid}` : ''}${s.detail ? `  (${s.detail})` : ''}`,
  ].join('\n');
}

/** The production profile's status, one line per service; `external` where another process answers. */
export function describeProduction(rows: ProductionServiceStatus[]): string {
  return rows
    .map(
      (r) =>
        `${r.name.padEnd(16)} ${r.state.padEnd(8)} ${(r.healthy ? 'healthy' : 'unreachable').padEnd(11)} ${r.address}${r.pid ? `  pid=${r.pid}` : ''}${r.detail ? `  (${r.detail})` : ''}`,
    )
    .join('\n');
}

export const stackCommand: CliCommand = {
  name: 'stack',
  summary:
    'start, stop or inspect the local stack: dev server + MinIO, or the production profile (up|down|status)',
  usage: [
    'usage: stageprune stack up|down|status [--profile dev|production] [--cpu-workers N] [--gpu-workers M] [--json]',
    '',
    'dev (default): the Temporal CLI dev server (SQLite) and a single-drive MinIO.',
    'production: the Temporal server built from its Go module on PostgreSQL, the Web UI server, MinIO',
    'erasure-coded over 4 drives, and N cpu + M gpu worker processes (default 2 + 2;',
    'STAGEPRUNE_CPU_WORKERS, STAGEPRUNE_GPU_WORKERS). Needs `bash infra/setup-production.sh` once.',
    'State lives under .stageprune/ (STAGEPRUNE_HOME); everything binds to loopback.',
  ].join('\n'),
  async run(args) {
    const { flags, positionals } = parseFlags(
      args,
      {
        json: { type: 'boolean' },
        profile: { type: 'string' },
        'cpu-workers': { type: 'string' },
        'gpu-workers': { type: 'string' },
      },
      flagsSchema,
    );
    const action = positionals[0];
    const print = (value: unknown, text: string) => console.log(flags.json ? JSON.stringify(value) : text);
    if (flags.profile === 'production') {
      const stack = new ProductionStack(
        productionOptionsFromConfig(loadConfig(), {
          ...(flags['cpu-workers'] !== undefined ? { cpuWorkers: flags['cpu-workers'] } : {}),
          ...(flags['gpu-workers'] !== undefined ? { gpuWorkers: flags['gpu-workers'] } : {}),
        }),
      );
      switch (action) {
        case 'up': {
          const rows = await stack.up();
          print(rows, describeProduction(rows));
          return rows.every((r) => r.healthy) ? 0 : 1;
        }
        case 'down': {
          const stopped = await stack.down();
          print(stopped, stopped.length ? `stopped ${stopped.join(', ')}` : 'nothing was running');
          return 0;
        }
        case 'status': {
          const rows = await stack.status();
          print(rows, describeProduction(rows));
          return rows.every((r) => r.healthy) ? 0 : 1;
        }
        default:
          console.error(this.usage);
          return 2;
      }
    }
    const stack = new LocalStack(stackOptionsFromConfig(loadConfig()));
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
