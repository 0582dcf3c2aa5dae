import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { DatasetError } from '../../core/datasets';
import { repoRoot } from '../paths';
import { loadCocoDataset } from './load-coco';
import { loadVocDataset } from './load-voc';
import { loadYoloDataset } from './load-yolo';
import type { DatasetFormat, LoadOptions, LoadedDataset } from './loaded-dataset';

/** BCCD, kept in the repository (datasets/bccd); STAGEPRUNE_BCCD overrides it. */
export function bccdRoot(): string {
  return process.env.STAGEPRUNE_BCCD ?? path.resolve(repoRoot, 'datasets/bccd');
}

/** Which layout a dataset path has, from the files it holds. */
export function detectFormat(root: string): DatasetFormat {
  if (!existsSync(root)) throw new DatasetError('DATASET_NOT_FOUND', root, 'dataset path does not exist');
  if (statSync(root).isFile()) {
    if (root.endsWith('.json')) return 'coco';
    throw new DatasetError('DATASET_NOT_FOUND', root, 'a dataset file must be COCO JSON');
  }
  if (existsSync(path.join(root, 'Annotations')) && existsSync(path.join(root, 'ImageSets'))) return 'voc';
  if (existsSync(path.join(root, 'labels')) && existsSync(path.join(root, 'images'))) return 'yolo';
  // Roboflow's YOLO export: data.yaml beside train/, valid/ (and test/), each with images/ and labels/.
  if (['data.yaml', 'dataset.yaml'].some((f) => existsSync(path.join(root, f)))) return 'yolo';
  if (existsSync(path.join(root, 'annotations'))) return 'coco';
  throw new DatasetError(
    'DATASET_NOT_FOUND',
    root,
    'not a VOC (Annotations/, ImageSets/), YOLO (images/ and labels/, or data.yaml) or COCO (annotations/ or .json) dataset',
  );
}

export async function loadDataset(root: string, options: LoadOptions): Promise<LoadedDataset> {
  const abs = path.resolve(root);
  switch (detectFormat(abs)) {
    case 'voc':
      return loadVocDataset(abs, options);
    case 'yolo':
      return loadYoloDataset(abs, options);
    case 'coco':
      return loadCocoDataset(abs, options);
  }
}
