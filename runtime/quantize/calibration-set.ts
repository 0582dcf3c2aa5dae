// The calibration images of a quantization: the first N of a list of files, letterboxed as evaluation does.

import { letterboxImage } from '../pruning/calibration-images';
import type { CalibrationImage } from '../pruning/activations';

export function letterboxAll(files: readonly string[], size: number): Promise<CalibrationImage[]> {
  return Promise.all(files.map((f) => letterboxImage(f, size)));
}
