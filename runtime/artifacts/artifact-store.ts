import type { ArtifactRef } from '../../common/artifact-ref';

/**
 * Content-addressed artifact storage. `put` is idempotent: the same bytes always get the same reference,
 * and a second put finds the object already stored.
 */
export interface ArtifactStore {
  readonly bucket: string;
  put(bytes: Uint8Array, options?: { contentType?: string }): Promise<ArtifactRef>;
  /** Reads and verifies the bytes against the reference's sha256. */
  get(ref: ArtifactRef): Promise<Uint8Array>;
  exists(ref: Pick<ArtifactRef, 'bucket' | 'key'>): Promise<boolean>;
  /** Writes a named (not content-addressed) JSON document, e.g. a run manifest. */
  putJson(key: string, value: unknown): Promise<void>;
  /** Writes a named object (user inputs uploaded by the CLI). */
  putObject(key: string, bytes: Uint8Array): Promise<void>;
  getJson(key: string): Promise<unknown>;
  /** Reads any object named by URI; content-addressed keys are verified against the hash in the key. */
  getObject(bucket: string, key: string): Promise<Uint8Array>;
  /** Every object under a prefix (paginated under the hood). */
  list(bucket: string, prefix: string): Promise<StoredObject[]>;
}

export interface StoredObject {
  key: string;
  size: number;
  etag: string;
}
