import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { UNION_PARTS } from '../../common/data-split';
import { DatasetError } from '../../core/datasets';

// Where a split's files are in the YOLO and COCO layouts. VOC names its splits in ImageSets/Main; these two
// keep one folder (YOLO: images/<split>, labels/<split>) or one JSON file (COCO:
// annotations/instances_<split>.json) per split. The pipeline's default fine-tune split is VOC's `trainval`,
// which ultralytics-style data sets do not have: there it means train and val together, as in VOC.

/** Splits that stand for a union when the data set has no folder or file of that name. */
const UNIONS = UNION_PARTS;

const IMAGE_RE = /\.(jpe?g|png|bmp|webp)$/i;

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

function resolveSplit(
  split: string,
  has: (name: string) => boolean,
  available: () => string[],
  where: string,
): string[] {
  if (has(split)) return [split];
  const parts = UNIONS[split];
  if (parts && parts.every(has)) return [...parts];
  const list = available();
  throw new DatasetError(
    'DATASET_SPLIT_MISSING',
    where,
    `split '${split}' not found${parts ? ` (nor ${parts.join(' and ')} to stand for it)` : ''}; ` +
      `the data set has ${list.length > 0 ? list.join(', ') : 'no splits'}`,
  );
}

/**
 * The split names a YOLO data set's images are in (`images/<name>/`, relative to the root): the split itself,
 * or the splits its name stands for (`trainval` = train + val).
 */
export function yoloSplitNames(root: string, split: string): string[] {
  const images = path.join(root, 'images');
  return resolveSplit(
    split,
    (s) => isDir(path.join(images, s)),
    () =>
      isDir(images)
        ? readdirSync(images)
            .filter((d) => isDir(path.join(images, d)))
            .sort()
        : [],
    path.join('images', split),
  );
}

/** True when a YOLO data set keeps its images directly in `images/` (no split folders). */
export function yoloIsFlat(root: string): boolean {
  const images = path.join(root, 'images');
  return isDir(images) && readdirSync(images).some((f) => IMAGE_RE.test(f));
}

export interface CocoSplitFile {
  /** The annotation file, absolute. */
  readonly annotations: string;
  /** The folder its `file_name`s are relative to, absolute. */
  readonly images: string;
}

/**
 * The annotation files (and their image folders) of a COCO split in a folder layout:
 * annotations/instances_<split>.json with images in <split>/, images/<split>/ or images/.
 */
export function cocoSplitFiles(root: string, split: string): CocoSplitFile[] {
  const annotations = path.join(root, 'annotations');
  const file = (s: string) => path.join(annotations, `instances_${s}.json`);
  const names = resolveSplit(
    split,
    (s) => existsSync(file(s)),
    () =>
      isDir(annotations)
        ? readdirSync(annotations)
            .map((f) => /^instances_(.+)\.json$/.exec(f)?.[1])
            .filter((s): s is string => s !== undefined)
            .sort()
        : [],
    path.join('annotations', `instances_${split}.json`),
  );
  return names.map((s) => {
    const candidates = [s, path.join('images', s), 'images'].map((d) => path.join(root, d));
    return { annotations: file(s), images: candidates.find(isDir) ?? root };
  });
}

/**
 * The split names a data set's file list shows (keys relative to its root): VOC ImageSets/Main/<name>.txt,
 * YOLO images/<name>/…, COCO annotations/instances_<name>.json. What the pipeline sees before any download.
 */
export function splitNamesInKeys(keys: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const key of keys) {
    const m =
      /^ImageSets\/Main\/([^/]+)\.txt$/.exec(key) ??
      /^images\/([^/]+)\/[^/]+$/.exec(key) ??
      /^annotations\/instances_([^/]+)\.json$/.exec(key);
    if (m) names.add(m[1]!);
  }
  return names;
}
