// A failed run as `run --wait`, `status`, `report` and `demo` print it: its root cause in one line, or JSON.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  RetryState,
  TerminatedFailure,
  TimeoutFailure,
} from '@temporalio/common';
import { failureLine, printRunFailure, runFailureOf } from '../../cli/run-failure';

const UI = 'http://127.0.0.1:8233/namespaces/default/workflows/compress-x';
const failed = (cause: Error) =>
  new WorkflowFailedError('Workflow execution failed', cause, RetryState.NON_RETRYABLE_FAILURE);
const inActivity = (type: string, cause: Error) =>
  new ActivityFailure(
    'Activity task failed',
    type,
    '1',
    RetryState.NON_RETRYABLE_FAILURE,
    'worker@host',
    cause,
  );
const splitNotFound = () =>
  ApplicationFailure.create({
    type: 'SPLIT_NOT_FOUND',
    message: "images/test: split 'test' not found;\nthe data set has train, val",
    nonRetryable: true,
    cause: new Error('ENOENT: no such file or directory'),
  });

function captured(t: TestContext) {
  const out: string[] = [];
  const err: string[] = [];
  t.mock.method(console, 'log', (...a: unknown[]) => void out.push(a.join(' ')));
  t.mock.method(console, 'error', (...a: unknown[]) => void err.push(a.join(' ')));
  return { out, err };
}

describe('a failed run', () => {
  test('child → activity → ApplicationFailure: the coded failure, its activity, one line with the UI link', () => {
    const err = failed(
      new ChildWorkflowFailure(
        'default',
        { workflowId: 'compress-x-planner', runId: 'r' },
        'planBySensitivity',
        RetryState.NON_RETRYABLE_FAILURE,
        inActivity('importDataset', splitNotFound()),
      ),
    );
    const f = runFailureOf(err, 'compress-x', UI)!;
    assert.deepEqual(f, {
      runId: 'compress-x',
      status: 'FAILED',
      code: 'SPLIT_NOT_FOUND',
      message: "images/test: split 'test' not found; | the data set has train, val",
      where: 'importDataset',
      ui: UI,
    });
    assert.equal(
      failureLine(f),
      `compress-x FAILED in importDataset: SPLIT_NOT_FOUND: images/test: split 'test' not found; | the data set has train, val (${UI})`,
    );
  });

  test('a failure no code names (a bug, a timeout) is reported by its innermost cause', () => {
    const bug = runFailureOf(
      failed(
        inActivity(
          'planPruning',
          ApplicationFailure.create({ type: 'TypeError', message: 'x is undefined' }),
        ),
      ),
      'compress-x',
      UI,
    )!;
    assert.equal(bug.code, 'TypeError');
    assert.equal(bug.message, 'x is undefined');
    const timeout = runFailureOf(
      failed(
        inActivity('finetune', new TimeoutFailure('activity Heartbeat timeout', undefined, 'HEARTBEAT')),
      ),
      'compress-x',
      UI,
    )!;
    assert.equal(timeout.code, 'TIMEOUT_HEARTBEAT');
    assert.equal(timeout.where, 'finetune');
    const terminated = runFailureOf(
      failed(new TerminatedFailure('Workflow execution terminated')),
      'compress-x',
      UI,
    )!;
    assert.equal(terminated.status, 'TERMINATED');
    assert.equal(terminated.code, 'TERMINATED');
  });

  test('printed: one stderr line and exit 1; --json one JSON line on stdout; --verbose adds the chain', (t) => {
    const err = failed(inActivity('importModel', splitNotFound()));
    let c = captured(t);
    assert.equal(printRunFailure(err, 'compress-x', UI, { json: false, verbose: false }), 1);
    assert.deepEqual(c.out, []);
    assert.equal(c.err.length, 1);
    assert.doesNotMatch(c.err[0]!, /\n|^\s+at /m);
    t.mock.restoreAll();

    c = captured(t);
    printRunFailure(err, 'compress-x', UI, { json: true, verbose: false });
    assert.deepEqual(JSON.parse(c.out.join('\n')), {
      run_id: 'compress-x',
      status: 'FAILED',
      code: 'SPLIT_NOT_FOUND',
      message: "images/test: split 'test' not found; | the data set has train, val",
      where: 'importModel',
      ui: UI,
    });
    t.mock.restoreAll();

    c = captured(t);
    printRunFailure(err, 'compress-x', UI, { json: false, verbose: true });
    assert.match(c.err.join('\n'), /SPLIT_NOT_FOUND: images\/test[\s\S]*Error: ENOENT/);
    t.mock.restoreAll();
  });

  test('an error that is not a run failure is thrown on', () => {
    const other = new Error('connection refused');
    assert.equal(runFailureOf(other, 'compress-x', UI), undefined);
    assert.throws(() => printRunFailure(other, 'compress-x', UI, { json: false, verbose: false }), other);
  });
});
