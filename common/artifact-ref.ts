import { z } from 'zod';

/**
 * How activities and workflows name an artifact: where it is and what it is (sha256 + size). Model bytes
 * never travel through workflow history, only these references.
 */
export const artifactRefSchema = z.object({
  bucket: z.string().min(3),
  key: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
});

export type ArtifactRef = z.infer<typeof artifactRefSchema>;

/** Content-addressed key layout: one object per distinct content, found again by its hash. */
export function contentKey(sha256: string): string {
  return `artifacts/sha256/${sha256.slice(0, 2)}/${sha256}`;
}

/** The sha256 a content-addressed key carries, or undefined for any other key. */
export function contentKeyHash(key: string): string | undefined {
  const m = /^artifacts\/sha256\/([0-9a-f]{2})\/([0-9a-f]{64})$/.exec(key);
  return m && m[2]!.startsWith(m[1]!) ? m[2] : undefined;
}

export function s3Uri(ref: Pick<ArtifactRef, 'bucket' | 'key'>): string {
  return `s3://${ref.bucket}/${ref.key}`;
}
