import type { ArtifactRef } from '../common/artifact-ref';
import { MEMO_PREFIX, runPrefix } from '../common/run-prefix';
import { StagepruneError } from '../core/errors';
import type { ArtifactStore, StoredObject } from '../runtime/artifacts';
import { currentActivity } from './current-activity';

/** An activity tried to write a named object outside its run's prefix: a bug, never worth a retry. */
export class WriteOutsideRunError extends StagepruneError {
  constructor(key: string, allowed: string) {
    super(
      'WRITE_OUTSIDE_RUN_PREFIX',
      `refused to write '${key}': this activity may write only under ${allowed}`,
    );
  }
}

/**
 * The store as activities see it. Content-addressed puts go anywhere (the same bytes always land on the
 * same key, so no run can change another's artifact); named writes only under `memo/` (keyed by the hash
 * of a step's input) and under the prefix of the workflow the activity runs for. Reads are unchanged.
 */
export class RunScopedStore implements ArtifactStore {
  constructor(private readonly inner: ArtifactStore) {}

  get bucket(): string {
    return this.inner.bucket;
  }

  put(bytes: Uint8Array, options?: { contentType?: string }): Promise<ArtifactRef> {
    return this.inner.put(bytes, options);
  }

  get(ref: ArtifactRef): Promise<Uint8Array> {
    return this.inner.get(ref);
  }

  exists(ref: Pick<ArtifactRef, 'bucket' | 'key'>): Promise<boolean> {
    return this.inner.exists(ref);
  }

  async putJson(key: string, value: unknown): Promise<void> {
    assertWritable(key);
    await this.inner.putJson(key, value);
  }

  async putObject(key: string, bytes: Uint8Array): Promise<void> {
    assertWritable(key);
    await this.inner.putObject(key, bytes);
  }

  getJson(key: string): Promise<unknown> {
    return this.inner.getJson(key);
  }

  getObject(bucket: string, key: string): Promise<Uint8Array> {
    return this.inner.getObject(bucket, key);
  }

  list(bucket: string, prefix: string): Promise<StoredObject[]> {
    return this.inner.list(bucket, prefix);
  }
}

function assertWritable(key: string): void {
  if (key.startsWith(MEMO_PREFIX) && !key.includes('..')) return;
  const workflowId = currentActivity()?.workflowId;
  const own = workflowId === undefined ? undefined : runPrefix(workflowId);
  if (own !== undefined && key.startsWith(own)) return;
  throw new WriteOutsideRunError(key, own ? `${MEMO_PREFIX} and ${own}` : `${MEMO_PREFIX} (no workflow)`);
}
