import fs from 'node:fs';
import path from 'node:path';
import { parseVocXml, type RawImageLabels } from '../../core/datasets';
import { bccdRoot } from '../../runtime/datasets';

// Small copies of BCCD in the two other layouts the evaluator and the trainer read, made from the VOC
// originals in datasets/bccd: YOLO txt (data.yaml + images/<split>/ + labels/<split>/, as ultralytics users
// hold them) and COCO JSON (annotations/instances_<split>.json + images/). Splits, as ultralytics data sets
// have them: train and val (different images) and test (all of them) — no `trainval`, which the pipeline's
// default fine-tune split then reads as train + val.

/** The order ultralytics' own BCCD copies list the classes in: not the VOC (sorted) order. */
export const BCCD_YOLO_NAMES = ['RBC', 'WBC', 'Platelets'];

export interface BccdCopy {
  readonly root: string;
  /** Image stems per split. */
  readonly splits: Readonly<Record<'train' | 'val' | 'test', readonly string[]>>;
  /** The class order the copy states (data.yaml names / COCO categories by id). */
  readonly names: readonly string[];
}

function bccdLabels(n: number): { stem: string; raw: RawImageLabels }[] {
  const src = bccdRoot();
  return fs
    .readFileSync(path.join(src, 'ImageSets', 'Main', 'train.txt'), 'utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, n)
    .map((stem) => ({
      stem,
      raw: parseVocXml(fs.readFileSync(path.join(src, 'Annotations', `${stem}.xml`), 'utf8'), {
        labelFile: `${stem}.xml`,
        imageFile: `${stem}.jpg`,
      }),
    }));
}

function splitsOf(stems: string[]): BccdCopy['splits'] {
  const half = Math.ceil(stems.length / 2);
  return { train: stems.slice(0, half), val: stems.slice(half), test: stems };
}

const copyImage = (stem: string, to: string) => {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(path.join(bccdRoot(), 'JPEGImages', `${stem}.jpg`), to);
};

/**
 * A YOLO-layout copy of the first `n` BCCD train images, class order `names` in data.yaml. `roboflow`: as
 * Roboflow exports it instead, train/ and valid/ (no test), each with images/ and labels/, and a data.yaml
 * whose paths read `../train/images`.
 */
export function miniBccdYolo(
  root: string,
  n = 8,
  names: readonly string[] = BCCD_YOLO_NAMES,
  layout: 'ultralytics' | 'roboflow' = 'ultralytics',
): BccdCopy {
  const labels = bccdLabels(n);
  const all = splitsOf(labels.map((l) => l.stem));
  const roboflow = layout === 'roboflow';
  const splits = roboflow ? { train: all.train, val: all.val, test: [] } : all;
  const folder = (kind: 'images' | 'labels', split: string) =>
    roboflow ? path.join(root, split === 'val' ? 'valid' : split, kind) : path.join(root, kind, split);
  for (const [split, stems] of Object.entries(splits)) {
    if (stems.length === 0) continue;
    fs.mkdirSync(folder('labels', split), { recursive: true });
    for (const stem of stems) {
      const { raw } = labels.find((l) => l.stem === stem)!;
      copyImage(stem, path.join(folder('images', split), `${stem}.jpg`));
      const lines = raw.objects.map((o) => {
        const cls = names.indexOf(o.className!);
        if (cls < 0) throw new Error(`class ${o.className} is not in [${names.join(', ')}]`);
        const [w, h] = [raw.width, raw.height];
        const f = (v: number) => v.toFixed(6);
        return `${cls} ${f((o.x1 + o.x2) / 2 / w)} ${f((o.y1 + o.y2) / 2 / h)} ${f((o.x2 - o.x1) / w)} ${f((o.y2 - o.y1) / h)}`;
      });
      fs.writeFileSync(path.join(folder('labels', split), `${stem}.txt`), `${lines.join('\n')}\n`);
    }
  }
  if (roboflow) {
    // Roboflow's data.yaml: paths one level up (ultralytics tries them without the `../`), names inline.
    fs.writeFileSync(
      path.join(root, 'data.yaml'),
      [
        'train: ../train/images',
        'val: ../valid/images',
        '',
        `nc: ${names.length}`,
        `names: [${names.map((s) => `'${s}'`).join(', ')}]`,
        '',
      ].join('\n'),
    );
    return { root, splits, names };
  }
  // ultralytics' data.yaml: a dataset root, one images folder per split, names as an index map.
  fs.writeFileSync(
    path.join(root, 'data.yaml'),
    [
      'path: .',
      'train: images/train',
      'val: images/val',
      'test: images/test',
      'names:',
      ...names.map((name, i) => `  ${i}: ${name}`),
      '',
    ].join('\n'),
  );
  return { root, splits, names };
}

/** A COCO-layout copy (annotations/instances_<split>.json, images/), categories in the order `names`. */
export function miniBccdCoco(root: string, n = 8, names: readonly string[] = BCCD_YOLO_NAMES): BccdCopy {
  const labels = bccdLabels(n);
  const splits = splitsOf(labels.map((l) => l.stem));
  fs.mkdirSync(path.join(root, 'annotations'), { recursive: true });
  for (const { stem } of labels) copyImage(stem, path.join(root, 'images', `${stem}.jpg`));
  // Category ids start at 1 and follow `names`, as COCO's own do.
  const categories = names.map((name, i) => ({ id: i + 1, name }));
  for (const [split, stems] of Object.entries(splits)) {
    let annId = 1;
    const images = stems.map((stem, i) => {
      const { raw } = labels.find((l) => l.stem === stem)!;
      return { id: i + 1, file_name: `${stem}.jpg`, width: raw.width, height: raw.height, raw };
    });
    const doc = {
      images: images.map(({ raw: _raw, ...im }) => im),
      annotations: images.flatMap((im) =>
        im.raw.objects.map((o) => ({
          id: annId++,
          image_id: im.id,
          category_id: names.indexOf(o.className!) + 1,
          bbox: [o.x1, o.y1, o.x2 - o.x1, o.y2 - o.y1],
          area: (o.x2 - o.x1) * (o.y2 - o.y1),
          iscrowd: 0,
        })),
      ),
      categories,
    };
    fs.writeFileSync(path.join(root, 'annotations', `instances_${split}.json`), JSON.stringify(doc));
  }
  return { root, splits, names };
}
