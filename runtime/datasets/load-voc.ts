import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import {
  DatasetError,
  LabelValidator,
  classNamesFromRaw,
  parseSplitList,
  parseVocXml,
  type DatasetImage,
  type RawImageLabels,
} from '../../core/datasets';
import { baseSplitName } from '../../common/data-split';
import { selectSplitImages } from './hold-out';
import type { LoadOptions, LoadedDataset } from './loaded-dataset';

const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.bmp', '.JPG', '.JPEG', '.PNG'];

/** Pascal VOC layout: Annotations/<stem>.xml, JPEGImages/<stem>.<ext>, ImageSets/Main/<split>.txt. */
export async function loadVocDataset(root: string, options: LoadOptions): Promise<LoadedDataset> {
  const splitName = baseSplitName(options.split);
  const splitFile = path.join('ImageSets', 'Main', `${splitName}.txt`);
  let splitText: string;
  try {
    splitText = await readFile(path.join(root, splitFile), 'utf8');
  } catch (err) {
    throw new DatasetError('DATASET_SPLIT_MISSING', splitFile, `split '${splitName}' not found in ${root}`, {
      cause: err,
    });
  }
  const listed = parseSplitList(splitText);
  if (listed.length === 0) throw new DatasetError('DATASET_EMPTY', splitFile, 'the split lists no images');
  const stems = selectSplitImages(options.split, listed, (stem) => stem, options.limit);
  const validator = new LabelValidator(options.policy);
  const raws: (RawImageLabels | null)[] = await Promise.all(
    stems.map(async (stem) => {
      const labelFile = path.join('Annotations', `${stem}.xml`);
      const ext = IMAGE_EXTENSIONS.find((e) => existsSync(path.join(root, 'JPEGImages', stem + e)));
      const imageFile = path.join('JPEGImages', stem + (ext ?? '.jpg'));
      let text: string;
      try {
        text = await readFile(path.join(root, labelFile), 'utf8');
      } catch (err) {
        return {
          error: new DatasetError('DATASET_LABEL_MISSING', labelFile, 'annotation file not found', {
            cause: err,
          }),
        };
      }
      try {
        const raw = parseVocXml(text, { labelFile, imageFile });
        return ext === undefined
          ? { error: new DatasetError('DATASET_IMAGE_MISSING', imageFile, 'image file not found'), raw }
          : { raw };
      } catch (err) {
        if (err instanceof DatasetError) return { error: err };
        throw err;
      }
    }),
  ).then((results) =>
    // Issues are flagged in split order so that `fail` reports the first bad file deterministically.
    results.map((r) => {
      if ('error' in r && r.error) {
        const kind = r.error.code === 'DATASET_IMAGE_MISSING' ? 'unreadable-image' : 'invalid-label';
        validator.flag(kind, r.error.file, r.error.message, r.error);
        return null;
      }
      return r.raw ?? null;
    }),
  );
  const classNames = options.classNames ?? (await vocClassNames(root));
  const images: DatasetImage[] = [];
  raws.forEach((raw, i) => {
    if (raw) images.push(validator.validateImage(raw, classNames, i + 1));
  });
  return {
    format: 'voc',
    root,
    split: options.split,
    dataset: { classNames, images },
    validator,
    resolveImage: (file) => path.join(root, file),
  };
}

/**
 * Class names stated by every annotation of the dataset (not only the split), so that class ids are
 * the same for train, val and test. Unreadable files are left to the split pass to report.
 */
export async function vocClassNames(root: string): Promise<string[]> {
  const dir = path.join(root, 'Annotations');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.xml')).sort();
  const raws: RawImageLabels[] = [];
  for (const f of files) {
    try {
      raws.push(parseVocXml(await readFile(path.join(dir, f), 'utf8'), { labelFile: f, imageFile: f }));
    } catch {
      // reported when the file is in the evaluated split
    }
  }
  return classNamesFromRaw(raws);
}
