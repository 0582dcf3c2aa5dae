import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { UNION_PARTS } from '../../common/data-split';
import { DatasetError, parseYoloYamlSplits, type YoloYamlSplits } from '../../core/datasets';

// Where a split's files are in the YOLO and COCO layouts. VOC names its splits in ImageSets/Main; these two
// keep one folder (YOLO: images/<split> or Roboflow's <split>/images, or data.yaml's) or one JSON file (COCO:
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

/** Folder names a YOLO split goes by: Roboflow exports call val `valid`. */
const YOLO_FOLDER_NAMES: Readonly<Record<string, readonly string[]>> = { val: ['val', 'valid'] };
const YOLO_YAML_FILES = ['data.yaml', 'dataset.yaml'];
const posix = (p: string) => p.split(path.sep).join('/');

/** The data yaml's split entries and the folder its relative paths start from (its `path:`, else its own). */
function yoloYaml(root: string): { base: string; splits: YoloYamlSplits['splits'] } | undefined {
  const file = YOLO_YAML_FILES.map((f) => path.join(root, f)).find((f) => existsSync(f));
  if (!file) return undefined;
  const yaml = parseYoloYamlSplits(readFileSync(file, 'utf8'));
  const declared = yaml.path === undefined ? undefined : path.resolve(root, yaml.path);
  return { base: declared && isDir(declared) ? declared : root, splits: yaml.splits };
}

/**
 * One named split's image folders, relative to the root ('/'-separated), or none: images/<name> (ultralytics),
 * <name>/images (Roboflow; val also as `valid`), else the data yaml's entry, resolved as ultralytics does (a
 * `../x` that does not exist is tried as `x`: Roboflow writes `../train/images`). A folder outside the root is
 * not the data set's (a run uploads the root only).
 */
function yoloFoldersOf(root: string, name: string): string[] {
  for (const folder of YOLO_FOLDER_NAMES[name] ?? [name])
    for (const dir of [`images/${folder}`, `${folder}/images`]) if (isDir(path.join(root, dir))) return [dir];
  const yaml = yoloYaml(root);
  const entries = yaml?.splits[name as keyof YoloYamlSplits['splits']];
  if (!yaml || !entries) return [];
  const dirs: string[] = [];
  for (const entry of entries) {
    let abs = path.resolve(yaml.base, entry);
    if (!existsSync(abs) && entry.startsWith('../')) abs = path.resolve(yaml.base, entry.slice(3));
    const rel = path.relative(root, abs);
    if (!isDir(abs) || rel.startsWith('..') || path.isAbsolute(rel)) return [];
    dirs.push(posix(rel));
  }
  return dirs;
}

/** The split names a YOLO data set has: its split folders (valid read as val) and its yaml's entries. */
export function yoloSplitNamesIn(root: string): string[] {
  const names = new Set<string>();
  const dirs = (p: string) => (isDir(p) ? readdirSync(p).filter((d) => isDir(path.join(p, d))) : []);
  for (const d of dirs(path.join(root, 'images'))) names.add(d === 'valid' ? 'val' : d);
  for (const d of dirs(root))
    if (d !== 'images' && isDir(path.join(root, d, 'images'))) names.add(d === 'valid' ? 'val' : d);
  for (const key of Object.keys(yoloYaml(root)?.splits ?? {}))
    if (yoloFoldersOf(root, key).length > 0) names.add(key);
  return [...names].sort();
}

/**
 * The image folders (relative to the root) of a YOLO split: the split's own (yoloFoldersOf), or the splits its
 * name stands for (`trainval` = train + val).
 */
export function yoloSplitFolders(root: string, split: string): string[] {
  const names = resolveSplit(
    split,
    (s) => yoloFoldersOf(root, s).length > 0,
    () => yoloSplitNamesIn(root),
    `images/${split}`,
  );
  return [...new Set(names.flatMap((s) => yoloFoldersOf(root, s)))];
}

/** A YOLO image folder's label folder, as ultralytics finds it: the last `images` segment becomes `labels`. */
export function yoloLabelFolder(imageFolder: string): string {
  const parts = posix(imageFolder).split('/');
  const k = parts.lastIndexOf('images');
  if (k >= 0) parts[k] = 'labels';
  return parts.join('/');
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
 * YOLO images/<name>/… or <name>/images/… (Roboflow's `valid` read as val), COCO
 * annotations/instances_<name>.json. What the pipeline sees before any download, and what `run` checks locally.
 */
export function splitNamesInKeys(keys: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const key of keys) {
    const m =
      /^ImageSets\/Main\/([^/]+)\.txt$/.exec(key) ??
      /^images\/([^/]+)\/[^/]+$/.exec(key) ??
      /^([^/]+)\/images\/[^/]+$/.exec(key) ??
      /^annotations\/instances_([^/]+)\.json$/.exec(key);
    if (m) names.add(m[1] === 'valid' && /images\//.test(key) ? 'val' : m[1]!);
  }
  return names;
}
