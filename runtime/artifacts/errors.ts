import { StagepruneError } from '../../core/errors';

/** The object a reference names is not in the store: the input is wrong, retrying cannot help. */
export class ArtifactMissingError extends StagepruneError {
  constructor(
    readonly bucket: string,
    readonly key: string,
    options: { cause?: unknown } = {},
  ) {
    super('ARTIFACT_MISSING', `artifact s3://${bucket}/${key} does not exist`, options);
  }
}

/** The bucket itself does not exist: a configuration error, retrying cannot help. */
export class BucketMissingError extends StagepruneError {
  constructor(
    readonly bucket: string,
    options: { cause?: unknown } = {},
  ) {
    super(
      'BUCKET_MISSING',
      `S3 bucket '${bucket}' does not exist: create it, or set STAGEPRUNE_S3_BUCKET to one that does ` +
        '(`stageprune stack up` creates the configured bucket on the local stack)',
      options,
    );
  }
}

/** The stored bytes do not hash to what the reference says: corrupt or replaced object. */
export class ArtifactIntegrityError extends StagepruneError {
  constructor(bucket: string, key: string, expected: string, actual: string) {
    super('ARTIFACT_INTEGRITY', `artifact s3://${bucket}/${key} has sha256 ${actual}, expected ${expected}`);
  }
}

/** The store could not be reached or answered with a server error: transient, worth a retry. */
export class StoreUnavailableError extends StagepruneError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('STORE_UNAVAILABLE', message, { ...options, isInputError: false });
  }
}
