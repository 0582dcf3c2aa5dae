import type { CompressModelOptions } from '../../common/compress-input';
import { splitUses } from '../../common/compress-result';
import {
  describeSplit,
  resolveRunSplits,
  SplitOverlapError,
  SPLIT_ROLES_IN_ORDER,
  type RunSplits,
} from '../../common/data-split';
import { choosesOnSelection } from '../../common/selection-use';
import { DatasetError } from '../../core/datasets';
import { datasetUploadKeys } from '../../runtime/artifacts';
import { loadDataset, splitNamesInKeys } from '../../runtime/datasets';
import { CliUsageError } from '../args';

/**
 * The splits a run on a local data set will use, resolved as the workers' import will resolve them (the same
 * file names, the same rule) and each read once (its first image), so that a missing split fails here, in one
 * line, before anything is uploaded.
 */
export async function checkLocalSplits(dataDir: string, options: CompressModelOptions): Promise<RunSplits> {
  let splits: RunSplits;
  try {
    splits = resolveRunSplits(options.splits, {
      datasetSplits: splitNamesInKeys(datasetUploadKeys(dataDir)),
      choosesOnSelection: choosesOnSelection(options),
    });
  } catch (err) {
    if (err instanceof SplitOverlapError) throw new CliUsageError(`--splits: ${err.message}`);
    throw err;
  }
  for (const role of SPLIT_ROLES_IN_ORDER) {
    const split = splits[role];
    if (split === undefined) continue;
    try {
      await loadDataset(dataDir, { split, policy: 'skip', limit: 1 });
    } catch (err) {
      if (!(err instanceof DatasetError)) throw err;
      throw new CliUsageError(
        `--data: the ${role} split (${describeSplit(split)}) cannot be read in ${dataDir}: ${err.message}; ` +
          'name the splits with --splits selection=S,finetune=S,evaluation=S',
      );
    }
  }
  return splits;
}

/** What each split will do, one line per role, for the first lines `run` prints. */
export function splitLines(splits: RunSplits): string[] {
  const uses = splitUses(splits);
  return SPLIT_ROLES_IN_ORDER.map((role) => `${role} split: ${uses[role].description}`);
}
