import { WorkflowFailedError, type WorkflowClient } from '@temporalio/client';
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  TerminatedFailure,
  TimeoutFailure,
} from '@temporalio/common';

/** Why a run ended without a result, as a user can act on it. */
export interface RunFailure {
  runId: string;
  /** Temporal's closed state: FAILED, TERMINATED, TIMED_OUT or CANCELLED (the client's names). */
  status: string;
  /** The ApplicationFailure type (a stageprune error code such as ONNX_TRUNCATED), else the kind of failure. */
  code: string;
  message: string;
  /** The activity or child workflow the root cause happened in, innermost. */
  where?: string;
  ui: string;
}

/** A stageprune error code, e.g. SPLIT_NOT_FOUND (a JavaScript error's name, e.g. TypeError, is not one). */
const STAGEPRUNE_CODE = /^[A-Z][A-Z0-9_]*$/;

/** WorkflowFailedError → ChildWorkflowFailure → ActivityFailure → ApplicationFailure → …, outermost first. */
export function causeChain(err: Error): Error[] {
  const chain: Error[] = [err];
  for (let e = err.cause; e instanceof Error && chain.length < 32; e = e.cause) chain.push(e);
  return chain;
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' | ').trim();

function codeOf(e: Error): string {
  if (e instanceof ApplicationFailure) return e.type || 'ApplicationFailure';
  if (e instanceof TimeoutFailure) return `TIMEOUT_${e.timeoutType}`;
  if (e instanceof TerminatedFailure) return 'TERMINATED';
  if (e instanceof CancelledFailure) return 'CANCELLED';
  return e.name;
}

/**
 * The root cause of a run's WorkflowFailedError (undefined for any other error). The root is the innermost
 * failure a stageprune code names, whose message was written for the user; what it wraps (an S3 error, an
 * ENOENT) is its detail. With no code in the chain (a bug, a timeout), the innermost failure.
 */
export function runFailureOf(err: unknown, runId: string, ui: string): RunFailure | undefined {
  if (!(err instanceof WorkflowFailedError)) return undefined;
  const chain = causeChain(err).slice(1);
  const coded = chain.filter((e) => e instanceof ApplicationFailure && STAGEPRUNE_CODE.test(e.type ?? ''));
  const root = coded.at(-1) ?? chain.at(-1) ?? err;
  const upToRoot = chain.slice(0, chain.indexOf(root) + 1);
  const where = upToRoot
    .map((e) =>
      e instanceof ActivityFailure
        ? e.activityType
        : e instanceof ChildWorkflowFailure
          ? e.workflowType
          : undefined,
    )
    .filter((w): w is string => w !== undefined)
    .at(-1);
  const top = chain[0];
  const status =
    top instanceof TerminatedFailure
      ? 'TERMINATED'
      : top instanceof TimeoutFailure
        ? 'TIMED_OUT'
        : top instanceof CancelledFailure
          ? 'CANCELLED'
          : 'FAILED';
  return {
    runId,
    status,
    code: codeOf(root),
    message: oneLine(root.message || err.message),
    ...(where ? { where } : {}),
    ui,
  };
}

/** One line: `RUN_ID FAILED in ACTIVITY: CODE: message (UI link)`. */
export function failureLine(f: RunFailure): string {
  return `${f.runId} ${f.status}${f.where ? ` in ${f.where}` : ''}: ${f.code}: ${f.message} (${f.ui})`;
}

/** The `--json` form, in the shape of the verbs' other JSON lines (`run_id`, `status`). */
export function failureJson(f: RunFailure) {
  return {
    run_id: f.runId,
    status: f.status,
    code: f.code,
    message: f.message,
    ...(f.where ? { where: f.where } : {}),
    ui: f.ui,
  };
}

/** `--verbose`: every link of the chain, then the root's stack as the worker reported it. */
export function failureDetail(err: Error): string {
  const chain = causeChain(err);
  const links = chain.map((e, i) => `${'  '.repeat(i)}${codeOf(e)}: ${e.message}`);
  const stack = chain.at(-1)?.stack;
  return [...links, ...(stack ? [stack] : [])].join('\n');
}

/**
 * Prints a run's failure for a verb that waited on or read it, and returns the exit code (1); any error that
 * is not a run's failure is thrown on. Text goes to stderr unless the verb's answer is the run's state.
 */
export function printRunFailure(
  err: unknown,
  runId: string,
  ui: string,
  o: { json: boolean; verbose: boolean; toStdout?: boolean },
): number {
  const f = runFailureOf(err, runId, ui);
  if (!f) throw err;
  if (o.json) console.log(JSON.stringify(failureJson(f)));
  else if (o.toStdout) console.log(failureLine(f));
  else console.error(failureLine(f));
  if (o.verbose) console.error(failureDetail(err as Error));
  return 1;
}

/** Temporal's states of a run that closed without a result. */
export const CLOSED_WITHOUT_RESULT: ReadonlySet<string> = new Set([
  'FAILED',
  'CANCELLED',
  'TERMINATED',
  'TIMED_OUT',
]);

/**
 * What a run that closed without a result ended with: its state and its WorkflowFailedError (from
 * `result()`, which needs no worker). Undefined while it runs or once it completed.
 */
export async function closedRunError(
  client: WorkflowClient,
  runId: string,
): Promise<{ status: string; err: unknown } | undefined> {
  const handle = client.getHandle(runId);
  const status = (await handle.describe()).status.name;
  if (!CLOSED_WITHOUT_RESULT.has(status)) return undefined;
  const err = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { status, err };
}
