import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { contentKey, contentKeyHash, type ArtifactRef } from '../../common/artifact-ref';
import type { ArtifactStore, StoredObject } from './artifact-store';
import {
  ArtifactIntegrityError,
  ArtifactMissingError,
  BucketMissingError,
  StoreUnavailableError,
} from './errors';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** ArtifactStore over any S3-compatible server. */
export class S3ArtifactStore implements ArtifactStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  async put(bytes: Uint8Array, options: { contentType?: string } = {}): Promise<ArtifactRef> {
    const sha256 = sha256Hex(bytes);
    const ref: ArtifactRef = { bucket: this.bucket, key: contentKey(sha256), sha256, size: bytes.byteLength };
    if (await this.exists(ref)) return ref;
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: ref.key,
          Body: bytes,
          ContentType: options.contentType ?? 'application/octet-stream',
          // Conditional write: a concurrent writer of the same content is harmless, never an overwrite.
          IfNoneMatch: '*',
          Metadata: { sha256 },
        }),
      );
    } catch (err) {
      if (
        err instanceof S3ServiceException &&
        (err.$metadata.httpStatusCode === 412 || err.name === 'PreconditionFailed')
      ) {
        return ref;
      }
      throw wrap(err, this.bucket, `put s3://${this.bucket}/${ref.key}`);
    }
    return ref;
  }

  async get(ref: ArtifactRef): Promise<Uint8Array> {
    const bytes = await this.getBytes(ref.bucket, ref.key);
    const actual = sha256Hex(bytes);
    if (actual !== ref.sha256) throw new ArtifactIntegrityError(ref.bucket, ref.key, ref.sha256, actual);
    return bytes;
  }

  async exists(ref: Pick<ArtifactRef, 'bucket' | 'key'>): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw wrap(err, ref.bucket, `head s3://${ref.bucket}/${ref.key}`);
    }
  }

  async putJson(key: string, value: unknown): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: JSON.stringify(value, null, 2),
          ContentType: 'application/json',
        }),
      );
    } catch (err) {
      throw wrap(err, this.bucket, `put s3://${this.bucket}/${key}`);
    }
  }

  async putObject(key: string, bytes: Uint8Array): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes }));
    } catch (err) {
      throw wrap(err, this.bucket, `put s3://${this.bucket}/${key}`);
    }
  }

  async getJson(key: string): Promise<unknown> {
    const bytes = await this.getBytes(this.bucket, key);
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  }

  /**
   * Any object by name. A content-addressed key (a model the CLI uploaded, an artifact named by URI) is
   * verified against the hash its key carries, like `get`: no corrupt or replaced artifact is ever used.
   */
  async getObject(bucket: string, key: string): Promise<Uint8Array> {
    const bytes = await this.getBytes(bucket, key);
    const expected = contentKeyHash(key);
    if (expected !== undefined) {
      const actual = sha256Hex(bytes);
      if (actual !== expected) throw new ArtifactIntegrityError(bucket, key, expected, actual);
    }
    return bytes;
  }

  async list(bucket: string, prefix: string): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) {
          if (o.Key) out.push({ key: o.Key, size: o.Size ?? 0, etag: (o.ETag ?? '').replaceAll('"', '') });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw wrap(err, bucket, `list s3://${bucket}/${prefix}`);
    }
    return out;
  }

  private async getBytes(bucket: string, key: string): Promise<Uint8Array> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!out.Body) throw new ArtifactMissingError(bucket, key);
      return await out.Body.transformToByteArray();
    } catch (err) {
      if (isNotFound(err)) throw new ArtifactMissingError(bucket, key, { cause: err });
      throw wrap(err, bucket, `get s3://${bucket}/${key}`);
    }
  }
}

function isNotFound(err: unknown): boolean {
  if (err instanceof S3ServiceException && err.name === 'NoSuchBucket') return false; // the bucket, not the key
  return (
    err instanceof NoSuchKey ||
    err instanceof NotFound ||
    (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404)
  );
}

function wrap(err: unknown, bucket: string, what: string): Error {
  if (err instanceof ArtifactMissingError || err instanceof ArtifactIntegrityError) return err;
  if (err instanceof S3ServiceException && err.name === 'NoSuchBucket')
    return new BucketMissingError(bucket, { cause: err });
  return new StoreUnavailableError(`${what} failed: ${(err as Error).message}`, { cause: err });
}
