import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError, LabelValidator, parseCocoJson } from '../../core/datasets';
import type { LoadOptions, LoadedDataset } from './loaded-dataset';

/**
 * COCO layout: either a JSON file (images relative to its folder), or a folder with
 * annotations/instances_<split>.json and images in <split>/, images/<split>/ or images/.
 */
export async function loadCocoDataset(rootOrFile: string, options: LoadOptions): Promise<LoadedDataset> {
  let jsonPath: string;
  let imageRoot: string;
  if (statSync(rootOrFile).isFile()) {
    jsonPath = rootOrFile;
    imageRoot = path.dirname(rootOrFile);
  } else {
    jsonPath = path.join(rootOrFile, 'annotations', `instances_${options.split}.json`);
    if (!existsSync(jsonPath)) {
      throw new DatasetError(
        'DATASET_SPLIT_MISSING',
        path.relative(rootOrFile, jsonPath),
        `split '${options.split}' not found`,
      );
    }
    const candidates = [options.split, path.join('images', options.split), 'images'].map((d) =>
      path.join(rootOrFile, d),
    );
    imageRoot = candidates.find((d) => existsSync(d)) ?? rootOrFile;
  }
  const jsonName = path.basename(jsonPath);
  const coco = parseCocoJson(await readFile(jsonPath, 'utf8'), jsonName);
  const classNames = options.classNames ?? coco.classNames;
  const validator = new LabelValidator(options.policy);
  // With other class names (the model's), COCO classes are matched by name.
  const raws = options.classNames
    ? coco.images.map((im) => ({
        ...im,
        objects: im.objects.map(({ classIndex, ...o }) => ({
          ...o,
          className: o.className ?? coco.classNames[classIndex!],
        })),
      }))
    : coco.images;
  const images = raws.map((raw, i) => validator.validateImage(raw, classNames, i + 1));
  return {
    format: 'coco',
    root: imageRoot,
    split: options.split,
    dataset: { classNames, images },
    validator,
    resolveImage: (f) => path.join(imageRoot, f),
  };
}
