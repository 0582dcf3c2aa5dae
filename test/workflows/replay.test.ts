import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { workflowsPath } from '../../workers/create-worker';
import { installWorkerRuntime } from '../../workers/runtime-logging';
import { HISTORY_DIR, readHistoryIndex } from '../support/record-history';

/**
 * Histories recorded from real runs (the durability tests, STAGEPRUNE_RECORD_HISTORIES=1) replayed with the
 * current workflow code: a change that makes an old run non-deterministic fails here, not in production.
 */
test('recorded histories of every workflow path replay with the current workflow code', async () => {
  const ids = readHistoryIndex();
  const files = fs.readdirSync(HISTORY_DIR).filter((f) => f.endsWith('.json') && f !== 'workflow-ids.json');
  assert.ok(files.length >= 20, `expected recorded histories in ${HISTORY_DIR}`);
  // Every path: staged, sensitivity (scan child), taylor, approval, failed, iterative, sparsify, layers, durability,
  // and a planner that hands over the pruned model (netadapt, its continued-as-new runs).
  for (const name of [
    'sensitivity.sensitivity',
    'taylor',
    'approval',
    'failed',
    'iterative.prune',
    'sparsify.sparsify',
    'layers',
    'worker-killed',
    'server-restart',
    'netadapt',
    'netadapt.plan.run2',
  ])
    assert.ok(files.includes(`compress-model-${name}.json`), `no recorded history compress-model-${name}`);
  await installWorkerRuntime('WARN');
  const histories = files.map((f) => ({
    workflowId: ids[path.basename(f, '.json')] ?? path.basename(f, '.json'),
    history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORY_DIR, f), 'utf8'))),
  }));
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowsPath: workflowsPath() }, histories)) {
    assert.equal(result.error, undefined, `${result.workflowId}: ${String(result.error)}`);
    replayed++;
  }
  assert.equal(replayed, files.length);
});
