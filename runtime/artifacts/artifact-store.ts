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
  getJson(key: string): Promise<unknown>;
}
