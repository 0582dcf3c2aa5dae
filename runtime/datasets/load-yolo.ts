import { existsSync } from 'node:fs';
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
import type { LoadOptions, LoadedDataset } from './loaded-dataset';

const IMAGE_RE = /\.(jpe?g|png|bmp|webp)$/i;

/** YOLO layout: images/<split>/*, labels/<split>/<stem>.txt, names in data.yaml or classes.txt. */
export async function loadYoloDataset(root: string, options: LoadOptions): Promise<LoadedDataset> {
  const imageDir = path.join('images', options.split);
  let files: string[];
  try {
    files = (await readdir(path.join(root, imageDir))).filter((f) => IMAGE_RE.test(f)).sort();
  } catch (err) {
    throw new DatasetError(
      'DATASET_SPLIT_MISSING',
      imageDir,
      `split '${options.split}' not found in ${root}`,
      { cause: err },
    );
  }
  if (files.length === 0) throw new DatasetError('DATASET_EMPTY', imageDir, 'no images');
  let classNames = options.classNames;
  if (!classNames) {
    const namesFile = ['data.yaml', 'dataset.yaml', 'classes.txt'].find((f) =>
      existsSync(path.join(root, f)),
    );
    if (!namesFile)
      throw new DatasetError(
        'DATASET_LABEL_MISSING',
        'data.yaml',
        'no data.yaml or classes.txt states the class names',
      );
    classNames = parseYoloClassNames(await readFile(path.join(root, namesFile), 'utf8'), namesFile);
  }
  const validator = new LabelValidator(options.policy);
  const images: DatasetImage[] = [];
  for (let i = 0; i < files.length; i++) {
    const file = path.join(imageDir, files[i]!);
    const labelFile = path.join('labels', options.split, files[i]!.replace(IMAGE_RE, '.txt'));
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
