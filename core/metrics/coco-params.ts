/**
 * pycocotools' default bbox parameters, computed the way numpy does so thresholds compare bit-equal:
 * `np.linspace(.5, 0.95, 10)` and `np.linspace(0, 1, 101)` are `start + i * ((stop - start) / div)` with the
 * last value set to `stop`.
 */
function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

export const IOU_THRESHOLDS = linspace(0.5, 0.95, 10);
export const RECALL_THRESHOLDS = linspace(0, 1, 101);
export const MAX_DETS = [1, 10, 100] as const;
/** all, small, medium, large, in pixels² of box (or annotation) area. */
export const AREA_RANGES: readonly (readonly [number, number])[] = [
  [0, 1e10],
  [0, 32 ** 2],
  [32 ** 2, 96 ** 2],
  [96 ** 2, 1e10],
];
export const AREA_NAMES = ['all', 'small', 'medium', 'large'] as const;
/** np.spacing(1): keeps precision finite when a class has no true or false positive yet. */
export const EPS = 2.220446049250313e-16;
