import { existsSync, readFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import {
  DatasetError,
  LabelValidator,
  parseYoloClassNames,
  parseYoloTxt,
  type DatasetImage,
} from '../../core/datasets';
import { readImageSize } from '../images';
import { yoloLabelFolder, yoloSplitFolders } from './dataset-splits';
import { baseSplitName } from '../../common/data-split';
import { fileStem, selectSplitImages } from './hold-out';
import type { LoadOptions, LoadedDataset } from './loaded-dataset';

const IMAGE_RE = /\.(jpe?g|png|bmp|webp)$/i;
const YOLO_NAMES_FILES = ['data.yaml', 'dataset.yaml', 'classes.txt'];

/**
 * YOLO layout: images/<split>/* and labels/<split>/<stem>.txt (ultralytics), <split>/images and <split>/labels
 * (Roboflow), or the folders data.yaml names; names in data.yaml or classes.txt. A split the data set has no
 * folder for may stand for others (`trainval` = train + val, see dataset-splits.ts).
 */
export async function loadYoloDataset(root: string, options: LoadOptions): Promise<LoadedDataset> {
  const splitName = baseSplitName(options.split);
  const folders = yoloSplitFolders(root, splitName);
  const all: { folder: string; name: string }[] = [];
  for (const folder of folders) {
    let names: string[];
    try {
      names = (await readdir(path.join(root, folder))).filter((f) => IMAGE_RE.test(f)).sort();
    } catch (err) {
      throw new DatasetError('DATASET_SPLIT_MISSING', folder, `split '${splitName}' not found in ${root}`, {
        cause: err,
      });
    }
    all.push(...names.map((name) => ({ folder, name })));
  }
  if (all.length === 0) throw new DatasetError('DATASET_EMPTY', path.join('images', splitName), 'no images');
  const files = selectSplitImages(options.split, all, (f) => fileStem(f.name), options.limit);
  const classNames = options.classNames ?? yoloClassNames(root);
  const validator = new LabelValidator(options.policy);
  const images: DatasetImage[] = [];
  for (let i = 0; i < files.length; i++) {
    const { folder, name } = files[i]!;
    const file = path.join(folder, name);
    const labelFile = path.join(yoloLabelFolder(folder), name.replace(IMAGE_RE, '.txt'));
    try {
      const size = await readImageSize(path.join(root, file), file);
      // A missing label file is an image without objects (background), as in ultralytics.
      const text = existsSync(path.join(root, labelFile))
        ? await readFile(path.join(root, labelFile), 'utf8')
        : '';
      const raw = parseYoloTxt(text, { labelFile, imageFile: file, ...size });
      images.push(validator.validateImage(raw, classNames, i + 1));
    } catch (err) {
      if (!(err instanceof DatasetError)) throw err;
      const imageProblem = err.code === 'DATASET_IMAGE_MISSING' || err.code === 'DATASET_IMAGE_CORRUPT';
      validator.flag(imageProblem ? 'unreadable-image' : 'invalid-label', err.file, err.message, err);
    }
  }
  return {
    format: 'yolo',
    root,
    split: options.split,
    dataset: { classNames, images },
    validator,
    resolveImage: (f) => path.join(root, f),
  };
}

/** Class names of a YOLO data set, from data.yaml (or dataset.yaml) `names`, else classes.txt. */
export function yoloClassNames(root: string): string[] {
  const namesFile = YOLO_NAMES_FILES.find((f) => existsSync(path.join(root, f)));
  if (!namesFile)
    throw new DatasetError(
      'DATASET_LABEL_MISSING',
      'data.yaml',
      'no data.yaml or classes.txt states the class names',
    );
  return parseYoloClassNames(readFileSync(path.join(root, namesFile), 'utf8'), namesFile);
}
