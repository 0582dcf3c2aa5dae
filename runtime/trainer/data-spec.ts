import { existsSync } from 'node:fs';
import path from 'node:path';
import { StagepruneError } from '../../core/errors';
import { DatasetError } from '../../core/datasets';
import { cocoSplitFiles, yoloIsFlat, yoloSplitFolders } from '../datasets/dataset-splits';
import { yoloClassNames } from '../datasets/load-yolo';
import { baseSplitName, type DataSplit } from '../../common/data-split';
import type { TrainerDataSpec, TrainerHoldOut } from './job';

export type TrainerDataFormat = 'auto' | 'voc' | 'yolo' | 'coco' | 'images';

export interface TrainerDataOptions {
  /** Default `auto`: VOC (Annotations/ + ImageSets/Main), COCO (annotations/), YOLO (images/ or data.yaml), else images. */
  readonly format?: TrainerDataFormat | string;
  /** Splits to train on (VOC split files, YOLO folders, COCO annotation files); default train and val. */
  readonly splits?: readonly string[];
  /** Class order to train in (otherwise the model's names, else the data set's). */
  readonly names?: readonly string[];
  /** A COCO annotation file for `root` as the image folder (instead of the annotations/ layout). */
  readonly annotations?: string;
  /** One side of a seeded hold-out of the splits (common/data-split.ts); the trainer applies it. */
  readonly holdOut?: TrainerHoldOut;
}

const DEFAULT_SPLITS = ['train', 'val'];

function detect(root: string, options: TrainerDataOptions): Exclude<TrainerDataFormat, 'auto'> {
  const has = (...p: string[]) => existsSync(path.join(root, ...p));
  if (has('Annotations') && has('ImageSets', 'Main')) return 'voc';
  if (options.annotations || (has('annotations') && !has('labels'))) return 'coco';
  if (has('images') || has('data.yaml') || has('dataset.yaml')) return 'yolo';
  return 'images';
}

/**
 * The trainer's `data` spec for a local data set folder, in any layout the evaluator reads, so that training,
 * fine-tuning and Taylor scoring see the same images and classes as evaluation. YOLO label indices are named by
 * the data set's data.yaml (`classes`), so the trainer can match them to the model's class order by name.
 */
export function trainerDataSpec(dir: string, options: TrainerDataOptions = {}): TrainerDataSpec {
  const root = path.resolve(dir);
  if (!existsSync(root)) throw new StagepruneError('DATASET_NOT_FOUND', `dataset folder not found: ${root}`);
  const format = !options.format || options.format === 'auto' ? detect(root, options) : options.format;
  const splits = [...(options.splits ?? DEFAULT_SPLITS)];
  const names = {
    ...(options.names ? { names: [...options.names] } : {}),
    ...(options.holdOut ? { hold_out: options.holdOut } : {}),
  };
  switch (format) {
    case 'voc':
      return { format: 'voc', root, splits, ...names };
    case 'coco': {
      if (options.annotations)
        return { format: 'coco', images: root, annotations: path.resolve(options.annotations), ...names };
      const files = splits.flatMap((s) => cocoSplitFiles(root, s));
      if (files.length === 0)
        throw new StagepruneError('CLI_USAGE', '--format coco needs --annotations FILE or annotations/');
      return {
        format: 'coco',
        images: files.map((f) => f.images),
        annotations: files.map((f) => f.annotations),
        ...names,
      };
    }
    case 'yolo': {
      const images = yoloIsFlat(root)
        ? path.join(root, 'images')
        : [...new Set(splits.flatMap((s) => yoloSplitFolders(root, s)))].map((f) => path.join(root, f));
      return { format: 'yolo', images, ...yoloClasses(root), ...names };
    }
    case 'images':
      return { format: 'images', images: root };
    default:
      throw new StagepruneError('CLI_USAGE', `unknown data format '${format}'`);
  }
}

/** The trainer's data spec for one split of a run (a named split, or one side of a hold-out). */
export function trainerDataSpecForSplit(dir: string, split: DataSplit): TrainerDataSpec {
  return trainerDataSpec(dir, {
    splits: [baseSplitName(split)],
    ...(typeof split === 'string'
      ? {}
      : { holdOut: { count: split.holdOut, seed: split.seed, part: split.part } }),
  });
}

/** data.yaml's names, when the data set states them; the trainer otherwise indexes labels by number. */
function yoloClasses(root: string): { classes?: string[] } {
  try {
    return { classes: yoloClassNames(root) };
  } catch (err) {
    if (err instanceof DatasetError && err.code === 'DATASET_LABEL_MISSING') return {};
    throw err;
  }
}
