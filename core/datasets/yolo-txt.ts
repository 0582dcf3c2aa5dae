import { checkClassName } from './class-name';
import { DatasetError } from './errors';
import type { RawImageLabels, RawObject } from './types';

/**
 * Normalised coordinates are written rounded (6 decimals by ultralytics' converters, 4 by some tools), so a
 * box on the image border comes out as cx + w/2 = 1.0000005: that is the border, not a box outside the image.
 * Only such rounding is absorbed; anything further out is left for validation to report.
 */
const ROUNDING = 1e-4;
const edge = (v: number) => (v < 0 && v >= -ROUNDING ? 0 : v > 1 && v <= 1 + ROUNDING ? 1 : v);

/**
 * YOLO txt labels: one `class cx cy w h` line per object, coordinates normalised to the image size,
 * which the caller reads from the image itself (the txt file does not state it).
 */
export function parseYoloTxt(
  text: string,
  options: { labelFile: string; imageFile: string; width: number; height: number },
): RawImageLabels {
  const objects: RawObject[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const parts = line.split(/\s+/);
    const nums = parts.map(Number);
    if (
      parts.length < 5 ||
      nums.some((v) => !Number.isFinite(v)) ||
      !Number.isInteger(nums[0]) ||
      nums[0]! < 0
    ) {
      throw new DatasetError(
        'DATASET_LABEL_INVALID',
        options.labelFile,
        `line ${i + 1}: expected 'class cx cy w h', got '${line}'`,
      );
    }
    if (parts.length > 5) {
      // Segment polygons (class x1 y1 x2 y2 ...) are not boxes; refusing beats guessing a box.
      throw new DatasetError(
        'DATASET_LABEL_INVALID',
        options.labelFile,
        `line ${i + 1}: ${parts.length} fields; only box labels are supported`,
      );
    }
    const [cls, cx, cy, w, h] = nums as [number, number, number, number, number];
    objects.push({
      classIndex: cls,
      x1: edge(cx - w / 2) * options.width,
      y1: edge(cy - h / 2) * options.height,
      x2: edge(cx + w / 2) * options.width,
      y2: edge(cy + h / 2) * options.height,
    });
  }
  return {
    file: options.imageFile,
    labelFile: options.labelFile,
    width: options.width,
    height: options.height,
    objects,
  };
}

/**
 * Class names of a YOLO dataset, from `classes.txt` (one per line) or the `names:` entry of a data
 * yaml in its three usual forms (inline list, block list, `index: name` map). Anything else is refused.
 */
export function parseYoloClassNames(text: string, file: string): string[] {
  const names = readClassNames(text, file);
  names.forEach((name, i) => checkClassName(name, file, `class ${i}`));
  return names;
}

function readClassNames(text: string, file: string): string[] {
  if (!/^\s*names\s*:/m.test(text)) {
    const names = text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '');
    if (names.length === 0) throw new DatasetError('DATASET_LABEL_INVALID', file, 'no class names');
    return names;
  }
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => /^\s*names\s*:/.test(l));
  const inline = lines[start]!.replace(/^\s*names\s*:/, '').trim();
  const unquote = (s: string) => s.trim().replace(/^['"]|['"]$/g, '');
  if (inline.startsWith('[')) {
    if (!inline.endsWith(']'))
      throw new DatasetError('DATASET_LABEL_INVALID', file, 'names: inline list is not closed on its line');
    return inline
      .slice(1, -1)
      .split(',')
      .map(unquote)
      .filter((s) => s !== '');
  }
  if (inline !== '')
    throw new DatasetError('DATASET_LABEL_INVALID', file, `names: unsupported value '${inline}'`);
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (!/^\s+/.test(line)) break;
    const item = /^\s+-\s*(.+)$/.exec(line);
    const entry = /^\s+(\d+)\s*:\s*(.+)$/.exec(line);
    if (item) names.push(unquote(item[1]!));
    else if (entry) {
      if (Number(entry[1]) !== names.length)
        throw new DatasetError('DATASET_LABEL_INVALID', file, `names: index ${entry[1]} out of order`);
      names.push(unquote(entry[2]!));
    } else throw new DatasetError('DATASET_LABEL_INVALID', file, `names: cannot read '${line.trim()}'`);
  }
  if (names.length === 0) throw new DatasetError('DATASET_LABEL_INVALID', file, 'names: empty');
  return names;
}
