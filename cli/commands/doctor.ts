import { z } from 'zod';
import { checks, type CheckResult } from '../../infra/doctor/checks';
import { loadConfig } from '../../runtime/config';
import { parseFlags } from '../args';
import type { CliCommand } from '../command';

const flagsSchema = z.object({ json: z.boolean().default(false) });

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary:
    'check every component (node, TypeScript, onnxruntime and its CUDA provider, Python/torch, Temporal, S3)',
  usage:
    'usage: stageprune doctor [--json]\n\nExits non-zero naming each failing component and how to fix it.',
  async run(args) {
    const { flags } = parseFlags(args, { json: { type: 'boolean' } }, flagsSchema);
    const config = loadConfig();
    const results: Record<string, CheckResult> = {};
    // Sequential: the TypeScript and torch checks are CPU-heavy and the machine may have few cores.
    for (const [name, check] of Object.entries(checks)) {
      results[name] = await check(config).catch((err: Error) => ({ ok: false, detail: err.message }));
      if (!flags.json)
        console.log(`${results[name]!.ok ? 'ok  ' : 'FAIL'}  ${name.padEnd(12)} ${results[name]!.detail}`);
    }
    const ok = Object.values(results).every((r) => r.ok);
    if (flags.json) console.log(JSON.stringify({ ok, checks: results }));
    else if (!ok)
      console.log(
        `\ndoctor: failing: ${Object.keys(results)
          .filter((k) => !results[k]!.ok)
          .join(', ')}`,
      );
    return ok ? 0 : 1;
  },
};
