// Calibration images for data-driven criteria: the first N JPEG/PNG files of a folder, letterboxed to the
// model's input size (gray 114 padding, RGB, /255, CHW) as ultralytics preprocesses.

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { PruneError } from '../../core/pruning/errors';
import type { CalibrationImage } from './activations';

export async function letterboxImage(file: string, size: number): Promise<CalibrationImage> {
  const { data } = await sharp(file)
    .resize(size, size, { fit: 'contain', background: { r: 114, g: 114, b: 114 }, kernel: 'linear' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const plane = size * size;
  const chw = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) chw[c * plane + i] = data[i * 3 + c]! / 255;
  return { dims: [1, 3, size, size], data: chw };
}

export async function loadCalibrationImages(
  dir: string | undefined,
  size: number,
  limit = 8,
): Promise<CalibrationImage[]> {
  if (!dir)
    throw new PruneError(
      'PRUNE_CALIBRATION_MISSING',
      'criterion hrank needs calibration images (--calib DIR)',
    );
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort();
  } catch (err) {
    throw new PruneError('PRUNE_CALIBRATION_MISSING', `cannot read calibration folder ${dir}`, {
      cause: err,
    });
  }
  if (files.length === 0)
    throw new PruneError('PRUNE_CALIBRATION_MISSING', `no JPEG or PNG images in ${dir}`);
  return Promise.all(files.slice(0, limit).map((f) => letterboxImage(path.join(dir, f), size)));
}
