import { CreateBucketCommand, HeadBucketCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { StagepruneConfig } from '../config';

/**
 * An S3 client for the configured endpoint (path-style unless told otherwise, as S3-compatible servers
 * expect). Without explicit credentials the AWS SDK's default chain finds them (environment, shared config
 * and profiles, web identity / IRSA, ECS and EC2 instance roles).
 */
export function createS3Client(
  s3: Pick<StagepruneConfig['s3'], 'endpoint' | 'region' | 'credentials'> &
    Partial<Pick<StagepruneConfig['s3'], 'forcePathStyle'>>,
): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: s3.forcePathStyle ?? true,
    credentials: s3.credentials,
    // Local servers answer fast; do not let a dead one hang a health check for minutes.
    maxAttempts: 2,
    // A server that accepts the connection and then stalls (a paused or wedged MinIO) must fail the call
    // as STORE_UNAVAILABLE, not hang the activity: no connection in 5 s or a silent socket for 60 s.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
  });
}

/** Creates the bucket unless it exists. */
export async function ensureBucket(client: S3Client, bucket: string): Promise<'created' | 'exists'> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return 'exists';
  } catch (err) {
    if (!(err instanceof S3ServiceException) || err.$metadata.httpStatusCode !== 404) throw err;
  }
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    return 'created';
  } catch (err) {
    if (
      err instanceof S3ServiceException &&
      (err.name === 'BucketAlreadyOwnedByYou' || err.name === 'BucketAlreadyExists')
    ) {
      return 'exists';
    }
    throw err;
  }
}
