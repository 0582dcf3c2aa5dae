import { S3_URI_PATTERN } from '../../common/compress-input';

/** `s3://bucket/key/with/slashes` → { bucket, key }; undefined when it is not an S3 URI. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const m = S3_URI_PATTERN.exec(uri);
  if (!m) return undefined;
  return { bucket: m[1]!, key: m[2]! };
}
