import fs from 'node:fs';
import path from 'node:path';
import { bccdRoot } from '../../runtime/datasets';

/**
 * A small VOC copy of BCCD (the first `n` train images as trainval/val/test), so pipeline tests upload and
 * evaluate a handful of real images instead of 364.
 */
export function miniBccd(dir: string, n = 8): string {
  const src = bccdRoot();
  const ids = fs
    .readFileSync(path.join(src, 'ImageSets', 'Main', 'train.txt'), 'utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, n);
  for (const sub of ['Annotations', 'JPEGImages', path.join('ImageSets', 'Main')]) {
    fs.mkdirSync(path.join(dir, sub), { recursive: true });
  }
  for (const id of ids) {
    fs.copyFileSync(path.join(src, 'Annotations', `${id}.xml`), path.join(dir, 'Annotations', `${id}.xml`));
    fs.copyFileSync(path.join(src, 'JPEGImages', `${id}.jpg`), path.join(dir, 'JPEGImages', `${id}.jpg`));
  }
  for (const split of ['trainval', 'val', 'test']) {
    fs.writeFileSync(path.join(dir, 'ImageSets', 'Main', `${split}.txt`), `${ids.join('\n')}\n`);
  }
  return dir;
}
