import { StagepruneError } from '../errors';

/** Stable codes of dataset problems; each error names the file it is about. */
export type DatasetErrorCode =
  | 'DATASET_NOT_FOUND'
  | 'DATASET_SPLIT_MISSING'
  | 'DATASET_IMAGE_MISSING'
  | 'DATASET_IMAGE_CORRUPT'
  | 'DATASET_LABEL_MISSING'
  | 'DATASET_LABEL_INVALID'
  | 'DATASET_BOX_DEGENERATE'
  | 'DATASET_BOX_OUTSIDE_IMAGE'
  | 'DATASET_CLASS_UNKNOWN'
  | 'DATASET_EMPTY';

export class DatasetError extends StagepruneError {
  declare readonly code: DatasetErrorCode;
  /** The dataset file the problem is in (image, annotation, split list), relative to the dataset root. */
  readonly file: string;

  constructor(code: DatasetErrorCode, file: string, message: string, options: { cause?: unknown } = {}) {
    super(code, `${file}: ${message}`, { cause: options.cause, isInputError: true });
    this.file = file;
  }
}
