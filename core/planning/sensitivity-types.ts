// What a sensitivity scan produces (issue 7, `scanSensitivity`): one point per (unit, ratio), where the unit
// alone was pruned at that ratio and evaluated on a calibration subset. Zod schemas so the aggregated scan can
// be stored as JSON and read back by the planner activity.

import { z } from 'zod';
import type { Part } from '../yolo/part-map';

export interface SensitivityPoint {
  /** Ultralytics module key (`model.6`), dependency group (its root conv) or droppable block (`model.4.m.1`). */
  unit: string;
  stage: Part;
  /** Fraction of the unit's prunable channels removed, in (0, 1); 1 for a dropped block. */
  ratio: number;
  map50_95: number;
  map50: number;
  /** Whole-model FLOPs and parameters with only this unit pruned. */
  flops: number;
  params: number;
}

/** The unpruned model on the same calibration subset: every curve's implicit point at ratio 0. */
export interface SensitivityBaseline {
  map50_95: number;
  map50: number;
  flops: number;
  params: number;
}

export interface SensitivityCurve {
  unit: string;
  stage: Part;
  /** Sorted by ratio, all ratios > 0; the point (0, baseline) is implicit and never stored. */
  points: SensitivityPoint[];
}

const stage = z.enum(['backbone', 'neck', 'head']);
const metric = z.number().finite();
const count = z.number().finite().nonnegative();

export const SensitivityBaselineSchema = z.object({
  map50_95: metric,
  map50: metric,
  flops: count,
  params: count,
});

export const SensitivityPointSchema = z.object({
  unit: z.string().min(1),
  stage,
  ratio: z.number().gt(0).lte(1),
  map50_95: metric,
  map50: metric,
  flops: count,
  params: count,
});

export const SensitivityCurveSchema = z.object({
  unit: z.string().min(1),
  stage,
  points: z.array(SensitivityPointSchema),
});

// Compile-time checks that the schemas and the interfaces describe the same JSON.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _pointSame: Same<z.output<typeof SensitivityPointSchema>, SensitivityPoint> = true;
const _baselineSame: Same<z.output<typeof SensitivityBaselineSchema>, SensitivityBaseline> = true;
const _curveSame: Same<z.output<typeof SensitivityCurveSchema>, SensitivityCurve> = true;
