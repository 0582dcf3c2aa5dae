import type { ArtifactRef } from './artifact-ref';
import type { DataSplit } from './data-split';

/** What the data-driven pruning criteria read, by reference: workflows pass these, never the data. */
export interface CriterionInputs {
  /** hrank: feature-map ranks over the first `images` images of this split. */
  calibration?: { dataset: ArtifactRef; split: DataSplit; images: number };
  /** taylor: the scores file the trainer wrote (`scoreTaylor`). */
  taylorScores?: ArtifactRef;
}
