import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError, LabelValidator, parseCocoJson } from '../../core/datasets';
import { cocoSplitFiles, type CocoSplitFile } from './dataset-splits';
import { baseSplitName } from '../../common/data-split';
import { fileStem, selectSplitImages } from './hold-out';
import type { LoadOptions, LoadedDataset } from './loaded-dataset';

/**
 * COCO layout: either a JSON file (images relative to its folder), or a folder with
 * annotations/instances_<split>.json and images in <split>/, images/<split>/ or images/ (a split with no file
 * may stand for others: `trainval` = train + val, see dataset-splits.ts).
 */
export async function loadCocoDataset(rootOrFile: string, options: LoadOptions): Promise<LoadedDataset> {
  const isFile = statSync(rootOrFile).isFile();
  const root = isFile ? path.dirname(rootOrFile) : rootOrFile;
  const files: CocoSplitFile[] = isFile
    ? [{ annotations: rootOrFile, images: root }]
    : cocoSplitFiles(rootOrFile, baseSplitName(options.split));
  const parts = await Promise.all(
    files.map(async (f) => ({
      ...f,
      coco: parseCocoJson(await readFile(f.annotations, 'utf8'), path.relative(root, f.annotations)),
    })),
  );
  // Every part must name the same categories in the same order, or class indices would disagree.
  const cocoNames = parts[0]!.coco.classNames;
  for (const p of parts.slice(1)) {
    if (p.coco.classNames.join('\n') !== cocoNames.join('\n'))
      throw new DatasetError(
        'DATASET_LABEL_INVALID',
        path.relative(root, p.annotations),
        `categories [${p.coco.classNames.join(', ')}] differ from [${cocoNames.join(', ')}]`,
      );
  }
  const classNames = options.classNames ?? cocoNames;
  const validator = new LabelValidator(options.policy);
  // Image files are made relative to the root (several parts may use different image folders) and ids are
  // renumbered after the first part, so a union of splits never repeats an image id.
  let idOffset = 0;
  const raws = parts.flatMap((p) => {
    const folder = path.relative(root, p.images);
    const maxId = Math.max(0, ...p.coco.images.map((im) => im.id ?? 0));
    const offset = idOffset;
    idOffset += maxId;
    return p.coco.images.map((im) => ({
      ...im,
      ...(im.id !== undefined ? { id: im.id + offset } : {}),
      file: path.join(folder, im.file),
      // With other class names (the model's), COCO classes are matched by name.
      objects: options.classNames
        ? im.objects.map(({ classIndex, ...o }) => ({
            ...o,
            className: o.className ?? cocoNames[classIndex!],
          }))
        : im.objects,
    }));
  });
  const limited = selectSplitImages(options.split, raws, (raw) => fileStem(raw.file), options.limit);
  const images = limited.map((raw, i) => validator.validateImage(raw, classNames, i + 1));
  return {
    format: 'coco',
    root,
    split: options.split,
    dataset: { classNames, images },
    validator,
    resolveImage: (f) => path.join(root, f),
  };
}
