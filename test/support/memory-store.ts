import { contentKey, type ArtifactRef } from '../../common/artifact-ref';
import {
  ArtifactMissingError,
  sha256Hex,
  type ArtifactStore,
  type StoredObject,
} from '../../runtime/artifacts';

/** Objects in memory for unit tests of activities and report code: content-addressed puts as the S3 store makes them. */
export class MemoryStore implements ArtifactStore {
  readonly objects = new Map<string, Uint8Array>();
  constructor(readonly bucket = 'stageprune') {}

  async put(bytes: Uint8Array): Promise<ArtifactRef> {
    const sha256 = sha256Hex(bytes);
    const ref = { bucket: this.bucket, key: contentKey(sha256), sha256, size: bytes.byteLength };
    this.objects.set(ref.key, bytes);
    return ref;
  }
  async get(ref: ArtifactRef): Promise<Uint8Array> {
    return this.getObject(ref.bucket, ref.key);
  }
  async exists(ref: Pick<ArtifactRef, 'key'>): Promise<boolean> {
    return this.objects.has(ref.key);
  }
  async putJson(key: string, value: unknown): Promise<void> {
    this.objects.set(key, new TextEncoder().encode(JSON.stringify(value)));
  }
  async putObject(key: string, bytes: Uint8Array): Promise<void> {
    this.objects.set(key, bytes);
  }
  async getJson(key: string): Promise<unknown> {
    return JSON.parse(new TextDecoder().decode(await this.getObject(this.bucket, key)));
  }
  async getObject(bucket: string, key: string): Promise<Uint8Array> {
    const bytes = this.objects.get(key);
    if (!bytes) throw new ArtifactMissingError(bucket, key);
    return bytes;
  }
  async list(_bucket: string, prefix: string): Promise<StoredObject[]> {
    return [...this.objects]
      .filter(([k]) => k.startsWith(prefix))
      .map(([key, b]) => ({ key, size: b.byteLength, etag: sha256Hex(b) }));
  }
}
