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
  /**
   * Both counted in the deploy form (BN folded) when `costForm` is `deploy`. Rows written before it was kept
   * have a train-form `before` (the base model as given) and a deploy-form `after` (the delivered export):
   * compare them through `deployFormBefore`.
   */
  flops: { before: number; after: number };
  params: { before: number; after: number };
  costForm?: 'deploy';
  map50_95: number;
  map50: number;
  /** The split the mAP was scored on when it is not the pipeline's evaluation split (screening: `selection`). */
  scoreSplit?: string;
  /** The pruned model before any fine-tune. */
  prunedMap50_95?: number;
  deployed: string;
  runId?: string;
  /** The bench/pareto.ts command that made this row (rows written before it was kept have none). */
  command?: string;
}

/**
 * A row's "before", in the deploy form: its own when it was recorded so, else the base model's deploy-form cost
 * (`stageprune model stats BASE --deploy`): every row's "before" is the base model, and its "after" was always
 * the deploy-form export.
 */
export function deployFormBefore(
  row: ParetoRow,
  baseDeploy: { flops: number; params: number },
): { flops: number; params: number } {
  return row.costForm === 'deploy' ? { flops: row.flops.before, params: row.params.before } : baseDeploy;
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
