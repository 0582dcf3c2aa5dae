import { createHash } from 'node:crypto';
import { ArtifactMissingError, type ArtifactStore, type LocalArtifactCache } from '../../runtime/artifacts';
import { retryStore, type StoreBackoff } from '../../runtime/artifacts/store-retry';

/** What every pipeline activity is built with. */
export interface PipelineDeps {
  store: ArtifactStore;
  cache: LocalArtifactCache;
  /** Scratch space for trainer jobs and checkpoints. */
  workDir: string;
  /** Buckets model and data URIs may name (default: the store's bucket only). */
  inputBuckets?: readonly string[];
  /** Back-off for store writes worth waiting for (checkpoints, results); the default rides out ~90 s. */
  storeBackoff?: Partial<StoreBackoff>;
}

/**
 * Bumped whenever an activity's output for the same input changes meaning (a fix in how a step computes its
 * result, or a trainer default the input leaves out), so results stored by older code are not served as
 * current. 3: label-free fine-tunes distil the head's outputs by default (the same input trained differently).
 * 4: parameters and FLOPs are counted in the deploy form (BN folded) by importModel, applyPruning,
 * evaluateModel and NetAdapt's summary, whatever form the model is in.
 */
export const MEMO_VERSION = 4;

/**
 * Runs `fn` once per distinct (activity, input): the result is stored as JSON under `memo/`, and a retried
 * or repeated call with the same input returns it without redoing the work. Outputs are content-addressed
 * artifacts, so a stored result always points at objects that exist.
 */
export async function memoized<I, R>(
  deps: PipelineDeps,
  activity: string,
  input: I,
  fn: () => Promise<R>,
): Promise<R> {
  const key = memoKey(activity, input);
  try {
    return (await deps.store.getJson(key)) as R;
  } catch (err) {
    if (!(err instanceof ArtifactMissingError)) throw err;
  }
  const result = await fn();
  // The work is done: losing its result to a store blip would redo it on the retry, so wait the blip out.
  await retryStore(() => deps.store.putJson(key, result), deps.storeBackoff);
  return result;
}

/** Where `memoized` stores the result of (activity, input). */
export function memoKey(activity: string, input: unknown): string {
  const hash = createHash('sha256').update(activity).update('\0').update(JSON.stringify(input)).digest('hex');
  return `memo/v${MEMO_VERSION}/${activity}/${hash}.json`;
}

/** The stored result of (activity, input) if that step ran, without ever running it. */
export async function readMemo<R>(
  deps: PipelineDeps,
  activity: string,
  input: unknown,
): Promise<R | undefined> {
  try {
    return (await deps.store.getJson(memoKey(activity, input))) as R;
  } catch (err) {
    if (err instanceof ArtifactMissingError) return undefined;
    throw err;
  }
}
