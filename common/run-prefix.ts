/**
 * Where a run's named (not content-addressed) outputs live: `runs/<workflow id>/`. The ID is URI-encoded,
 * so an ID with a slash (`a/b`) cannot reach into another run's prefix (`runs/a/`). Pure: workflows may
 * import it.
 */
export function runPrefix(runId: string): string {
  return `runs/${encodeURIComponent(runId)}/`;
}

/** Memoized step results: keyed by the hash of the step's input, shared by every run like the artifacts. */
export const MEMO_PREFIX = 'memo/';
