import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bccdRoot } from '../../runtime/datasets';

/**
 * A small VOC dataset in a temp folder made of real BCCD files, plus whatever broken files a test adds.
 * Returns the root; `stems` go into ImageSets/Main/test.txt.
 */
export function tinyVoc(stems: string[], extra: (root: string) => void = () => {}): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'stageprune-voc-'));
  for (const d of ['Annotations', 'JPEGImages', 'ImageSets/Main'])
    mkdirSync(path.join(root, d), { recursive: true });
  for (const stem of stems) {
    const src = stem.replace(/-copy\d*$/, '');
    try {
      copyFileSync(
        path.join(bccdRoot(), 'Annotations', `${src}.xml`),
        path.join(root, 'Annotations', `${stem}.xml`),
      );
      copyFileSync(
        path.join(bccdRoot(), 'JPEGImages', `${src}.jpg`),
        path.join(root, 'JPEGImages', `${stem}.jpg`),
      );
    } catch {
      // stems that are not BCCD files are written by `extra`
    }
  }
  writeFileSync(path.join(root, 'ImageSets/Main/test.txt'), stems.join('\n') + '\n');
  extra(root);
  return root;
}

export function vocXml(
  objects: { name: string; box: [number, number, number, number] }[],
  size = [640, 480],
): string {
  return `<annotation><filename>x.jpg</filename><size><width>${size[0]}</width><height>${size[1]}</height><depth>3</depth></size>${objects
    .map(
      (o) =>
        `<object><name>${o.name}</name><difficult>0</difficult><bndbox><xmin>${o.box[0]}</xmin><ymin>${o.box[1]}</ymin><xmax>${o.box[2]}</xmax><ymax>${o.box[3]}</ymax></bndbox></object>`,
    )
    .join('')}</annotation>`;
}
