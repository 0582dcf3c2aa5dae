export type { ArtifactStore } from './artifact-store';
export { S3ArtifactStore, sha256Hex } from './s3-artifact-store';
export { createS3Client, ensureBucket } from './s3-client';
export { ArtifactMissingError, ArtifactIntegrityError, StoreUnavailableError } from './errors';
