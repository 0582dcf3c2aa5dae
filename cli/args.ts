import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { StagepruneError } from '../core/errors';

export class CliUsageError extends StagepruneError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('CLI_USAGE', message, options);
  }
}

/**
 * Parses flags with node's parseArgs, then validates them with a zod schema (every external input goes
 * through zod). Errors name the flag.
 */
export function parseFlags<S extends z.ZodType>(
  args: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  schema: S,
): { flags: z.infer<S>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliUsageError((err as Error).message, { cause: err });
  }
  const result = schema.safeParse(parsed.values);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ');
    throw new CliUsageError(issues);
  }
  return { flags: result.data, positionals: parsed.positionals };
}
