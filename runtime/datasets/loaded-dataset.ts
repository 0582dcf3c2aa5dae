import type { DataSplit } from '../../common/data-split';
import type { BadLabelPolicy, Dataset, LabelValidator } from '../../core/datasets';

export type DatasetFormat = 'voc' | 'yolo' | 'coco';

/** A dataset split read from disk; `validator` carries on collecting issues (e.g. images that fail to decode). */
export interface LoadedDataset {
  readonly format: DatasetFormat;
  readonly root: string;
  readonly split: DataSplit;
  readonly dataset: Dataset;
  readonly validator: LabelValidator;
  /** Absolute path of a dataset-relative image file. */
  resolveImage(file: string): string;
}

export interface LoadOptions {
  /** A split the data set names, or one side of a seeded hold-out carved from one (common/data-split.ts). */
  readonly split: DataSplit;
  readonly policy: BadLabelPolicy;
  /** Class names to index by (e.g. the model's); by default the names the data states. */
  readonly classNames?: readonly string[];
  /**
   * Only the first `limit` images of the split, in its own order (VOC: the split file; YOLO: sorted file
   * names; COCO: the JSON's order), after any hold-out: selection subsets and small evaluation budgets.
   */
  readonly limit?: number;
}
