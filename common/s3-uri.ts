/** `s3://bucket/key/with/slashes` → { bucket, key }; undefined when it is not an S3 URI. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.*)$/.exec(uri);
  if (!m) return undefined;
  return { bucket: m[1]!, key: m[2]! };
}
