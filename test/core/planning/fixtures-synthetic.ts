// Synthetic scans shared by the planning and report tests: small, hand-checkable numbers.
import type { SensitivityBaseline, SensitivityPoint } from '../../../core/planning';
import type { Part } from '../../../core/yolo/part-map';

export const baseline: SensitivityBaseline = { map50_95: 0.5, map50: 0.8, flops: 1000, params: 100 };

/** One point: the unit alone pruned at `ratio`, losing `drop` mAP50-95 and `saved` FLOPs (params: saved/10). */
export function point(
  unit: string,
  stage: Part,
  ratio: number,
  drop: number,
  saved: number,
): SensitivityPoint {
  return {
    unit,
    stage,
    ratio,
    map50_95: baseline.map50_95 - drop,
    map50: baseline.map50 - 1.5 * drop,
    flops: baseline.flops - saved,
    params: baseline.params - saved / 10,
  };
}

/** model.2 (backbone) is sensitive, model.15 (neck) nearly free; both save the same FLOPs per ratio. */
export const twoUnits: SensitivityPoint[] = [
  point('model.15', 'neck', 0.4, 0.005, 200),
  point('model.2', 'backbone', 0.2, 0.05, 100),
  point('model.2', 'backbone', 0.4, 0.12, 200),
  point('model.15', 'neck', 0.2, 0.002, 100),
];

/** Pruned-YOLO's order by construction: head > shallow backbone (model.2) > neck > deep backbone (model.8). */
export const prunedYoloLike: SensitivityPoint[] = [0.25, 0.5].flatMap((r) => [
  point('model.22', 'head', r, 0.4 * r, 50 * r),
  point('model.2', 'backbone', r, 0.2 * r, 100 * r),
  point('model.8', 'backbone', r, 0.02 * r, 300 * r),
  point('model.15', 'neck', r, 0.1 * r, 200 * r),
  point('model.18', 'neck', r, 0.1 * r, 200 * r),
]);
