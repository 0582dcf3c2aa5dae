import fs from 'node:fs';
import path from 'node:path';
import { ActivityInputError } from '../input-error';

/**
 * A split limited to its first `n` images, for calibration subsets and small demo budgets. VOC layouts get
 * a derived `ImageSets/Main/<split>-first<n>.txt`; other layouts are evaluated whole.
 */
export function subsetSplit(dataDir: string, split: string, n: number | undefined): string {
  if (n === undefined) return split;
  const main = path.join(dataDir, 'ImageSets', 'Main');
  const source = path.join(main, `${split}.txt`);
  if (!fs.existsSync(source)) {
    throw new ActivityInputError(
      'DATASET_SPLIT_MISSING',
      `split '${split}' not found (${source}); subsets need a VOC layout`,
    );
  }
  const name = `${split}-first${n}`;
  const ids = fs
    .readFileSync(source, 'utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, n);
  // Concurrent scan activities share the folder: write to a temporary name and rename (atomic), so no
  // reader ever sees a half-written split file.
  const target = path.join(main, `${name}.txt`);
  const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(tmp, `${ids.join('\n')}\n`);
  fs.renameSync(tmp, target);
  return name;
}
