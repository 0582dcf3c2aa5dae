import path from 'node:path';
import type { ArtifactRef } from '../../common/artifact-ref';
import {
  missingSplits,
  resolveRunSplits,
  SplitOverlapError,
  type RunSplits,
  type SplitSettings,
} from '../../common/data-split';
import { parseS3Uri } from '../../runtime/artifacts/s3-uri';
import { splitNamesInKeys } from '../../runtime/datasets/dataset-splits';
import { ActivityInputError } from '../input-error';
import { decodeModel } from '../../core/onnx';
import { computeStats, type ModelStats } from '../../core/stats';
import type { DatasetManifest } from '../../runtime/artifacts/local-cache';
import type { PipelineDeps } from './context';

export interface ImportedModel {
  ref: ArtifactRef;
  name: string;
  stats: ModelStats;
}

/** Copies the user's model into the content-addressed store after proving it is a readable ONNX detector. */
export function importModel(deps: PipelineDeps) {
  return async (input: { uri: string }): Promise<ImportedModel> => {
    const loc = inputLocation(deps, 'model', input.uri);
    const bytes = await deps.store.getObject(loc.bucket, loc.key);
    const model = decodeModel(bytes); // typed ONNX errors for corrupt/hostile files
    // Deploy form, as every cost the pipeline compares: the delivered model has BN folded.
    const stats = computeStats(model, { form: 'deploy' });
    const ref = await deps.store.put(bytes);
    return { ref, name: path.basename(loc.key).replace(/\.onnx$/, ''), stats };
  };
}

/** Fixes the dataset's object list at import, so every later step reads the same files. */
export function importDataset(deps: PipelineDeps) {
  return async (input: {
    uri: string;
    splits?: SplitSettings;
    /** Whether a stage chooses on the selection split (common/selection-use.ts): only then is one carved. */
    choosesOnSelection?: boolean;
  }): Promise<{ manifest: ArtifactRef; objects: number; splits?: RunSplits }> => {
    const loc = inputLocation(deps, 'data', input.uri);
    const prefix = loc.key === '' || loc.key.endsWith('/') ? loc.key : `${loc.key}/`;
    const objects = await deps.store.list(loc.bucket, prefix);
    if (objects.length === 0) {
      throw new ActivityInputError('DATASET_EMPTY', `data: no objects under s3://${loc.bucket}/${prefix}`);
    }
    // Which images do what is fixed here, once, from the files the run reads.
    let splits: RunSplits | undefined;
    if (input.splits) {
      const keys = objects.map((o) => o.key.slice(prefix.length));
      const names = splitNamesInKeys(keys);
      try {
        splits = resolveRunSplits(input.splits, {
          datasetSplits: names,
          choosesOnSelection: input.choosesOnSelection ?? true,
        });
      } catch (err) {
        if (err instanceof SplitOverlapError) throw new ActivityInputError(err.code, err.message);
        throw err;
      }
      // A split the data set lacks fails here, in the first step, not in the evaluation after the baseline. A
      // layout whose splits its keys do not show (a single COCO file) is left to the loaders; a data.yaml may
      // place train, val and test anywhere.
      const yaml = keys.some((k) => k === 'data.yaml' || k === 'dataset.yaml');
      const missing = missingSplits(splits, names, new Set(yaml ? ['train', 'val', 'test'] : []));
      if (names.size > 0 && missing.length > 0)
        throw new ActivityInputError(
          'DATASET_SPLIT_MISSING',
          `data: no ${missing.join(', ')} split in s3://${loc.bucket}/${prefix}; the data set has ` +
            `${[...names].sort().join(', ')}: name the splits (--splits selection=S,finetune=S,evaluation=S)`,
        );
    }
    const manifest: DatasetManifest = { bucket: loc.bucket, prefix, objects };
    const ref = await deps.store.put(new TextEncoder().encode(JSON.stringify(manifest)), {
      contentType: 'application/json',
    });
    return { manifest: ref, objects: objects.length, ...(splits ? { splits } : {}) };
  };
}

/**
 * The bucket and key an input URI names, refused unless the bucket is one this deployment reads inputs from
 * (STAGEPRUNE_S3_INPUT_BUCKETS, default the artifact bucket): a run must not make the workers read, and
 * copy into the store, objects of buckets their credentials happen to reach.
 */
export function inputLocation(
  deps: Pick<PipelineDeps, 'store' | 'inputBuckets'>,
  what: 'model' | 'data',
  uri: string,
): { bucket: string; key: string } {
  const loc = parseS3Uri(uri);
  if (!loc) throw new ActivityInputError('INVALID_INPUT', `${what}: '${uri}' is not an s3:// URI`);
  const allowed = deps.inputBuckets ?? [deps.store.bucket];
  if (!allowed.includes(loc.bucket)) {
    throw new ActivityInputError(
      'INPUT_URI_FORBIDDEN',
      `${what}: '${uri}' is outside the input buckets this deployment reads (${allowed.join(', ')}); ` +
        'upload it there, or add its bucket to STAGEPRUNE_S3_INPUT_BUCKETS',
    );
  }
  if (what === 'model' && (loc.key === '' || loc.key.endsWith('/'))) {
    throw new ActivityInputError('INVALID_INPUT', `model: '${uri}' names a prefix, not an object`);
  }
  return loc;
}

export async function loadManifest(deps: PipelineDeps, ref: ArtifactRef): Promise<DatasetManifest> {
  return JSON.parse(new TextDecoder().decode(await deps.store.get(ref))) as DatasetManifest;
}
