import type { CompressModelOptions } from '../../common/compress-input';
import { splitUses } from '../../common/compress-result';
import {
  baseSplitName,
  describeSplit,
  resolveRunSplits,
  SplitOverlapError,
  SPLIT_ROLES_IN_ORDER,
  type RunSplits,
} from '../../common/data-split';
import { choosesOnSelection } from '../../common/selection-use';
import { DatasetError } from '../../core/datasets';
import { datasetUploadKeys } from '../../runtime/artifacts';
import { detectFormat, loadDataset, splitNamesInKeys, yoloSplitFolders } from '../../runtime/datasets';
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
  const shared = sharedFolder(dataDir, splits);
  if (shared) throw new CliUsageError(`--splits: ${shared}`);
  return splits;
}

/**
 * Two roles reading one image folder, which split names alone do not show: a YOLO data.yaml may point a split
 * (val, say) at the folder of another role's split (Hard Hat's at `selection`). The two sides of a hold-out
 * share their folder by design.
 */
function sharedFolder(dataDir: string, splits: RunSplits): string | undefined {
  if (detectFormat(dataDir) !== 'yolo') return undefined;
  const roles = SPLIT_ROLES_IN_ORDER.flatMap((role) => {
    const split = splits[role];
    return split === undefined
      ? []
      : [{ role, split, folders: new Set(yoloSplitFolders(dataDir, baseSplitName(split))) }];
  });
  for (const [i, a] of roles.entries())
    for (const b of roles.slice(i + 1)) {
      const sides = typeof a.split !== 'string' && typeof b.split !== 'string' && a.split.of === b.split.of;
      const folder = [...a.folders].find((f) => b.folders.has(f));
      if (folder && !sides)
        return (
          `the ${a.role} split (${describeSplit(a.split)}) and the ${b.role} split (${describeSplit(b.split)}) ` +
          `both read ${folder} (see data.yaml): an image may serve one role only`
        );
    }
  return undefined;
}

/** What each split will do, one line per role, for the first lines `run` prints. */
export function splitLines(splits: RunSplits): string[] {
  const uses = splitUses(splits);
  return SPLIT_ROLES_IN_ORDER.map((role) => `${role} split: ${uses[role].description}`);
}
