export type { ArtifactStore, StoredObject } from './artifact-store';
export { LocalArtifactCache } from './local-cache';
export { S3ArtifactStore, sha256Hex } from './s3-artifact-store';
export { createS3Client, ensureBucket } from './s3-client';
export {
  ArtifactMissingError,
  ArtifactIntegrityError,
  BucketMissingError,
  StoreUnavailableError,
} from './errors';
export {
  uploadDatasetFolder,
  uploadModelFile,
  LocalInputError,
  listFiles as datasetUploadKeys,
} from './upload-inputs';
