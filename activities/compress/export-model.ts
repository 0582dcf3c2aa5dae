import type { ArtifactRef } from '../../common/artifact-ref';
import { StagepruneError } from '../../core/errors';
import { exportDeployForm } from '../../core/export';
import { decodeModel, encodeModel, metadataValue, type Model } from '../../core/onnx';
import { loadDataset } from '../../runtime/datasets';
import { memoized, type PipelineDeps } from './context';
import { loadManifest } from './import-inputs';
import type { DataSplit } from '../../common/data-split';

export interface ExportModelInput {
  model: ArtifactRef;
  fp16: boolean;
  /** The run's dataset: its class names go into the deployed model when the model has none of its own. */
  dataset?: ArtifactRef;
  split?: DataSplit;
}

/** True when the model states no class names, or only the digits a YAML-built model gets. */
function lacksNames(model: Model): boolean {
  const names = metadataValue(model, 'names');
  return !names || [...names.matchAll(/:\s*'([^']*)'/g)].every((m) => /^\d+$/.test(m[1]!));
}

/** Deploy-form export (BN folded, optional fp16, ultralytics metadata with the data set's class names). */
export function exportModel(deps: PipelineDeps) {
  return (input: ExportModelInput): Promise<{ model: ArtifactRef; foldedBatchNorms: number }> =>
    memoized(deps, 'exportModel', input, async () => {
      const source = decodeModel(await deps.store.get(input.model));
      let names: readonly string[] | undefined;
      if (input.dataset && lacksNames(source)) {
        // A model fine-tuned with labels already states them; one that was not (epochs 0) gets the data's.
        const root = await deps.cache.dataset(await loadManifest(deps, input.dataset));
        const loaded = await loadDataset(root, { split: input.split ?? 'test', policy: 'skip', limit: 1 });
        names = loaded.dataset.classNames;
      }
      const exportWith = (n?: readonly string[]) =>
        exportDeployForm(source, { fp16: input.fp16, ...(n ? { names: n } : {}) });
      let exported: ReturnType<typeof exportWith>;
      try {
        exported = exportWith(names);
      } catch (err) {
        // A data set with another class count than the model's says nothing about the model's classes.
        if (!(err instanceof StagepruneError && err.code === 'EXPORT_NAMES_MISMATCH')) throw err;
        exported = exportWith(undefined);
      }
      const { model, report } = exported;
      return { model: await deps.store.put(encodeModel(model)), foldedBatchNorms: report.folded.length };
    });
}
