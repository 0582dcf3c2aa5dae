import { createHash } from 'node:crypto';
import { ArtifactMissingError, type ArtifactStore, type LocalArtifactCache } from '../../runtime/artifacts';

/** What every pipeline activity is built with. */
export interface PipelineDeps {
  store: ArtifactStore;
  cache: LocalArtifactCache;
  /** Scratch space for trainer jobs and checkpoints. */
  workDir: string;
}

/**
 * Bumped whenever an activity's output for the same input changes meaning (a fix in how a step computes its
 * result), so results stored by older code are not served as current.
 */
export const MEMO_VERSION = 2;

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
  const hash = createHash('sha256').update(activity).update('\0').update(JSON.stringify(input)).digest('hex');
  const key = `memo/v${MEMO_VERSION}/${activity}/${hash}.json`;
  try {
    return (await deps.store.getJson(key)) as R;
  } catch (err) {
    if (!(err instanceof ArtifactMissingError)) throw err;
  }
  const result = await fn();
  await deps.store.putJson(key, result);
  return result;
}
