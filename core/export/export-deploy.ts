import type { Model } from '../onnx/model';
import { deployMetadata } from './deploy-metadata';
import { type FoldReport, foldBatchNorm } from './fold-batch-norm';
import { convertToFloat16 } from './to-float16';

export interface ExportOptions {
  /** Store weights (and the graph's float inputs/outputs) as float16. Default false. */
  readonly fp16?: boolean;
  /** Class names to state in the `names` metadata (the data set's), replacing the model's own. */
  readonly names?: readonly string[];
}

/** Train-form (or any) model → deploy-form: BN folded, optional fp16, ultralytics-compatible metadata. */
export function exportDeployForm(
  model: Model,
  options: ExportOptions = {},
): { model: Model; report: FoldReport } {
  const { model: folded, report } = foldBatchNorm(model);
  const withMeta: Model = {
    ...folded,
    metadataProps: deployMetadata(folded, { half: options.fp16, names: options.names }),
  };
  return { model: options.fp16 ? convertToFloat16(withMeta) : withMeta, report };
}
