// Recorded histories feed the replay test (test/workflows/replay.test.ts): with STAGEPRUNE_RECORD_HISTORIES=1
// the integration tests write the histories of the runs they make, children included, to the fixtures.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporalBinary } from '../../runtime/paths';

export const HISTORY_DIR = path.join(__dirname, '..', 'fixtures', 'histories');

export const recording = () => process.env.STAGEPRUNE_RECORD_HISTORIES === '1';

/**
 * Writes `workflowId`'s history as `<name>.json` (the Temporal CLI's JSON form, which replay reads back): its
 * latest run, or `runId` (a run that continued as new).
 */
export function recordHistory(address: string, workflowId: string, name: string, runId?: string): void {
  if (!recording()) return;
  fs.mkdirSync(HISTORY_DIR, { recursive: true });
  const out = execFileSync(temporalBinary(), [
    'workflow',
    'show',
    '--address',
    address,
    '--workflow-id',
    workflowId,
    ...(runId ? ['--run-id', runId] : []),
    '--output',
    'json',
  ]);
  fs.writeFileSync(path.join(HISTORY_DIR, `${name}.json`), out);
  // Replay needs the run's own id: child workflow ids are derived from it (`<id>-plan`).
  const index = readHistoryIndex();
  index[name] = workflowId;
  fs.writeFileSync(INDEX_FILE, `${JSON.stringify(index, null, 2)}\n`);
}

const INDEX_FILE = path.join(HISTORY_DIR, 'workflow-ids.json');

/** Recorded history name → the workflow id it was recorded under. */
export function readHistoryIndex(): Record<string, string> {
  return fs.existsSync(INDEX_FILE)
    ? (JSON.parse(fs.readFileSync(INDEX_FILE, 'utf8')) as Record<string, string>)
    : {};
}

/** A run and the child workflows it started (`<id>-plan`, `<id>-sensitivity`, `<id>-prune`, ...). */
export function recordRun(address: string, workflowId: string, name: string, children: string[] = []): void {
  recordHistory(address, workflowId, name);
  for (const c of children) recordHistory(address, `${workflowId}-${c}`, `${name}.${c}`);
}

/** Every run of a workflow that continued as new, oldest first, as `<name>.run<k>.json`. */
export async function recordAllRuns(
  client: Client,
  address: string,
  workflowId: string,
  name: string,
): Promise<number> {
  if (!recording()) return 0;
  const runs: { runId: string; start: number }[] = [];
  for await (const w of client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
    runs.push({ runId: w.runId, start: w.startTime.getTime() });
  runs.sort((a, b) => a.start - b.start);
  runs.forEach((r, k) => recordHistory(address, workflowId, `${name}.run${k + 1}`, r.runId));
  return runs.length;
}
