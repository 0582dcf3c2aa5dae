// Aggregates scan points into one curve per unit, and reads a curve at any ratio by linear interpolation
// between measured points (with the unpruned baseline at ratio 0). Nothing is extrapolated: a curve is only
// defined up to its last measured ratio, because sensitivity past it is exactly what we do not know.

import { PlanError } from './errors';
import type { SensitivityBaseline, SensitivityCurve, SensitivityPoint } from './sensitivity-types';

/** The metrics a curve predicts at one ratio. */
export type CurveValue = SensitivityBaseline;

const moduleIndex = (unit: string): number => {
  const m = /(\d+)/.exec(unit);
  return m ? Number(m[1]) : Number.POSITIVE_INFINITY;
};

/** Network order (`model.2` before `model.10`), then by name: plots and rankings read top to bottom. */
export function compareUnits(a: string, b: string): number {
  return moduleIndex(a) - moduleIndex(b) || (a < b ? -1 : a > b ? 1 : 0);
}

const samePoint = (a: SensitivityPoint, b: SensitivityPoint): boolean =>
  a.map50_95 === b.map50_95 && a.map50 === b.map50 && a.flops === b.flops && a.params === b.params;

/**
 * Groups points by unit and sorts them by ratio. A point repeated verbatim (a retried scan activity stored
 * twice) is kept once; two different measurements at the same (unit, ratio), a unit reported in two parts,
 * a ratio outside (0, 1) or a non-finite value are `PLAN_SCAN_INVALID`: the scan is inconsistent and any plan
 * built on it would be arbitrary.
 */
export function buildSensitivityCurves(
  baseline: SensitivityBaseline,
  points: readonly SensitivityPoint[],
): SensitivityCurve[] {
  for (const [k, v] of Object.entries(baseline)) {
    if (!Number.isFinite(v)) throw new PlanError('PLAN_SCAN_INVALID', `baseline ${k} is not a finite number`);
  }
  const byUnit = new Map<string, SensitivityCurve>();
  for (const p of points) {
    const where = `${p.unit} at ratio ${p.ratio}`;
    if (!(p.ratio > 0 && p.ratio < 1))
      throw new PlanError('PLAN_SCAN_INVALID', `${where}: ratio outside (0, 1)`);
    if (![p.map50_95, p.map50, p.flops, p.params].every(Number.isFinite))
      throw new PlanError('PLAN_SCAN_INVALID', `${where}: a metric is not a finite number`);
    const curve =
      byUnit.get(p.unit) ?? byUnit.set(p.unit, { unit: p.unit, stage: p.stage, points: [] }).get(p.unit)!;
    if (curve.stage !== p.stage)
      throw new PlanError(
        'PLAN_SCAN_INVALID',
        `${p.unit} is reported in parts ${curve.stage} and ${p.stage}`,
      );
    const twin = curve.points.find((q) => q.ratio === p.ratio);
    if (twin === undefined) curve.points.push({ ...p });
    else if (!samePoint(twin, p))
      throw new PlanError('PLAN_SCAN_INVALID', `${where}: two different measurements`);
  }
  const curves = [...byUnit.values()].sort((a, b) => compareUnits(a.unit, b.unit));
  for (const c of curves) c.points.sort((a, b) => a.ratio - b.ratio);
  return curves;
}

/** The largest ratio a curve was measured at (0 for a curve without points). */
export function maxMeasuredRatio(curve: SensitivityCurve): number {
  return curve.points.at(-1)?.ratio ?? 0;
}

/** Metrics at `ratio` ∈ [0, maxMeasuredRatio], interpolated linearly between neighbouring measurements. */
export function curveValueAt(
  curve: SensitivityCurve,
  baseline: SensitivityBaseline,
  ratio: number,
): CurveValue {
  const max = maxMeasuredRatio(curve);
  if (!(ratio >= 0 && ratio <= max + 1e-12))
    throw new RangeError(`${curve.unit}: ratio ${ratio} outside the measured range [0, ${max}]`);
  let lo: { ratio: number } & CurveValue = { ratio: 0, ...baseline };
  for (const hi of curve.points) {
    if (ratio <= hi.ratio) {
      const t = (ratio - lo.ratio) / (hi.ratio - lo.ratio);
      const mix = (a: number, b: number) => a + t * (b - a);
      return {
        map50_95: mix(lo.map50_95, hi.map50_95),
        map50: mix(lo.map50, hi.map50),
        flops: mix(lo.flops, hi.flops),
        params: mix(lo.params, hi.params),
      };
    }
    lo = hi;
  }
  return { map50_95: lo.map50_95, map50: lo.map50, flops: lo.flops, params: lo.params };
}
