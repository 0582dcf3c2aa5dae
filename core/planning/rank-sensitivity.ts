// Which units, and which parts of the network, are most sensitive to pruning. Pruned-YOLO ranks YOLOv5's
// parts, most to least sensitive, as Detect head, shallow backbone, neck, deep backbone; the scan must show
// a ranking of this kind for our models and the report states it (DESIGN §1).

import type { Part } from '../yolo/part-map';
import { compareUnits } from './sensitivity-curves';
import type { SensitivityBaseline, SensitivityCurve } from './sensitivity-types';

/**
 * What a unit's sensitivity is measured per. `ratio` (default): mean mAP50-95 drop per unit of pruning ratio,
 * i.e. the mean slope from (0, baseline) to each measured point. It compares units at the same structural cut,
 * as Pruned-YOLO and AMC report it, and does not depend on the scan's ratio grid. `flops`: mean drop per GFLOP
 * removed; that is what the allocator trades on, but it makes units with little compute (the Detect branches'
 * last convs) look extreme, so it is not the default for a ranking.
 */
export type SensitivityMeasure = 'ratio' | 'flops';

export interface UnitSensitivity {
  unit: string;
  stage: Part;
  /** Mean over measured points of baseline mAP50-95 − point mAP50-95 (absolute, not relative). */
  meanDrop: number;
  /** Mean over points of drop / ratio. */
  dropPerRatio: number;
  /** Mean over points that removed FLOPs of drop / GFLOPs removed; null when no point removed any. */
  dropPerGflop: number | null;
  /** The value the ranking sorts on (dropPerRatio or dropPerGflop; +∞ for a null per-GFLOP value). */
  sensitivity: number;
}

/** Pruned-YOLO's granularity: the backbone split into shallow (high resolution) and deep modules. */
export type SensitivityGroup = 'head' | 'shallow backbone' | 'neck' | 'deep backbone';
export const PRUNED_YOLO_ORDER: readonly SensitivityGroup[] = [
  'head',
  'shallow backbone',
  'neck',
  'deep backbone',
];

export interface GroupSensitivity<G extends string = string> {
  group: G;
  units: string[];
  /** Mean of the units' meanDrop. */
  meanDrop: number;
  /** Mean of the units' finite `sensitivity` values. */
  sensitivity: number;
}

export interface PartRanking {
  by: SensitivityMeasure;
  /** backbone / neck / head, most to least sensitive. */
  stages: GroupSensitivity<Part>[];
  order: Part[];
  /** Pruned-YOLO's four groups, most to least sensitive (groups without scanned units are left out). */
  groups: GroupSensitivity<SensitivityGroup>[];
  groupOrder: SensitivityGroup[];
  /** True when groupOrder is Pruned-YOLO's order restricted to the groups present. */
  matchesPrunedYolo: boolean;
}

export interface RankOptions {
  by?: SensitivityMeasure;
  /**
   * Last backbone module counted as shallow. Default 4: YOLOv8 modules 0–4 run at strides 2–8 (up to the P3
   * C2f); 5–9 are the P4/P5 stages and SPPF.
   */
  shallowBackboneLast?: number;
}

const mean = (xs: readonly number[]): number =>
  xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;

function unitSensitivity(
  baseline: SensitivityBaseline,
  curve: SensitivityCurve,
  by: SensitivityMeasure,
): UnitSensitivity {
  const drops = curve.points.map((p) => baseline.map50_95 - p.map50_95);
  const perGflop = curve.points.flatMap((p, i) => {
    const removed = (baseline.flops - p.flops) / 1e9;
    return removed > 0 ? [drops[i]! / removed] : [];
  });
  const dropPerRatio = mean(curve.points.map((p, i) => drops[i]! / p.ratio));
  const dropPerGflop = perGflop.length === 0 ? null : mean(perGflop);
  return {
    unit: curve.unit,
    stage: curve.stage,
    meanDrop: mean(drops),
    dropPerRatio,
    dropPerGflop,
    sensitivity: by === 'ratio' ? dropPerRatio : (dropPerGflop ?? Number.POSITIVE_INFINITY),
  };
}

const bySensitivity = (a: UnitSensitivity, b: UnitSensitivity): number =>
  b.sensitivity - a.sensitivity || compareUnits(a.unit, b.unit);

/** Units, most to least sensitive. Curves without points carry no information and are left out. */
export function rankUnits(
  baseline: SensitivityBaseline,
  curves: readonly SensitivityCurve[],
  options: Pick<RankOptions, 'by'> = {},
): UnitSensitivity[] {
  const by = options.by ?? 'ratio';
  return curves
    .filter((c) => c.points.length > 0)
    .map((c) => unitSensitivity(baseline, c, by))
    .sort(bySensitivity);
}

function aggregate<G extends string>(units: readonly UnitSensitivity[], groupOf: (u: UnitSensitivity) => G) {
  const groups = new Map<G, UnitSensitivity[]>();
  for (const u of units) {
    const g = groupOf(u);
    (groups.get(g) ?? groups.set(g, []).get(g)!).push(u);
  }
  const out: GroupSensitivity<G>[] = [...groups].map(([group, members]) => ({
    group,
    units: members.map((m) => m.unit).sort(compareUnits),
    meanDrop: mean(members.map((m) => m.meanDrop)),
    sensitivity: mean(members.map((m) => m.sensitivity).filter(Number.isFinite)),
  }));
  // Ties keep a fixed order so that reports are reproducible.
  return out.sort((a, b) => b.sensitivity - a.sensitivity || (a.group < b.group ? -1 : 1));
}

/** Per-part and per-Pruned-YOLO-group mean sensitivity, most to least sensitive. */
export function rankParts(
  baseline: SensitivityBaseline,
  curves: readonly SensitivityCurve[],
  options: RankOptions = {},
): PartRanking {
  const by = options.by ?? 'ratio';
  const shallowLast = options.shallowBackboneLast ?? 4;
  const units = rankUnits(baseline, curves, { by });
  const stages = aggregate(units, (u) => u.stage);
  const groups = aggregate<SensitivityGroup>(units, (u) => {
    if (u.stage !== 'backbone') return u.stage;
    const index = Number(/(\d+)/.exec(u.unit)?.[1] ?? Number.NaN);
    return index <= shallowLast ? 'shallow backbone' : 'deep backbone';
  });
  const groupOrder = groups.map((g) => g.group);
  const expected = PRUNED_YOLO_ORDER.filter((g) => groupOrder.includes(g));
  return {
    by,
    stages,
    order: stages.map((s) => s.group),
    groups,
    groupOrder,
    matchesPrunedYolo: groupOrder.every((g, i) => g === expected[i]),
  };
}
