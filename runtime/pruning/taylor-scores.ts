// Taylor scores written by the trainer: JSON `{ "<conv node name>": [score per output channel, ...] }`.

import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { PruneError } from '../../core/pruning/errors';

const ScoresSchema = z.record(z.string(), z.array(z.number().finite()));

export async function readTaylorScores(file: string): Promise<Map<string, Float64Array>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new PruneError(
      'PRUNE_SCORES_INVALID',
      `cannot read taylor scores ${file}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const result = ScoresSchema.safeParse(parsed);
  if (!result.success)
    throw new PruneError('PRUNE_SCORES_INVALID', `${file}: expected { "<conv node>": [numbers] }`);
  return new Map(Object.entries(result.data).map(([k, v]) => [k, Float64Array.from(v)]));
}
