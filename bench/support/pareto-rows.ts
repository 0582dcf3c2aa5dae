// One finished run of bench/pareto.ts, as a line of its results.jsonl; read by the scripts that summarize runs.

import fs from 'node:fs';

export interface ParetoRow {
  id: string;
  config: string;
  budget: number;
  seed: number;
  epochs: number;
  wallSeconds: number;
  finetuneSeconds?: number;
  flops: { before: number; after: number };
  params: { before: number; after: number };
  map50_95: number;
  map50: number;
  /** The pruned model before any fine-tune. */
  prunedMap50_95?: number;
  deployed: string;
  runId?: string;
}

/** The rows of a results.jsonl; none when the file does not exist yet. */
export function readParetoRows(file: string): ParetoRow[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ParetoRow);
}
