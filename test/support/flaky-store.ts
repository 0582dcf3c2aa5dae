import type { ArtifactRef } from '../../common/artifact-ref';
import { StoreUnavailableError, type ArtifactStore, type StoredObject } from '../../runtime/artifacts';

/**
 * A real store whose content-addressed puts fail with STORE_UNAVAILABLE while `failPuts` > 0 (each failure
 * counts it down; Infinity keeps the store down), as a stopped or restarting S3 server answers.
 */
export class FlakyStore implements ArtifactStore {
  failPuts = 0;
  failedPuts = 0;
  readonly stored: ArtifactRef[] = [];

  constructor(private readonly inner: ArtifactStore) {}

  get bucket(): string {
    return this.inner.bucket;
  }

  async put(bytes: Uint8Array, options?: { contentType?: string }): Promise<ArtifactRef> {
    if (this.failPuts > 0) {
      this.failPuts--;
      this.failedPuts++;
      // Asynchronously, as a refused connection fails.
      await new Promise((r) => setTimeout(r, 5));
      throw new StoreUnavailableError(`put s3://${this.bucket}/… failed: connect ECONNREFUSED (test outage)`);
    }
    const ref = await this.inner.put(bytes, options);
    this.stored.push(ref);
    return ref;
  }

  get(ref: ArtifactRef): Promise<Uint8Array> {
    return this.inner.get(ref);
  }
  exists(ref: Pick<ArtifactRef, 'bucket' | 'key'>): Promise<boolean> {
    return this.inner.exists(ref);
  }
  putJson(key: string, value: unknown): Promise<void> {
    return this.inner.putJson(key, value);
  }
  putObject(key: string, bytes: Uint8Array): Promise<void> {
    return this.inner.putObject(key, bytes);
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
