// The `sensitivity` planner: per-unit ratios that meet a FLOPs and/or parameter reduction target with the
// least predicted mAP50-95 loss, read off the scan's curves.
//
// Model: each unit's loss and savings are its own curve, linearly interpolated between measured ratios, and
// they ADD UP across units. That is an assumption: pruning two coupled units interacts (a conv fed by a pruned
// unit and itself pruned loses (1−a)(1−b) of its cost, not 1−a−b), so the additive model slightly overstates
// combined savings and says nothing about joint accuracy effects. The applied plan is measured exactly
// afterwards (computeStats, evaluation); the prediction only chooses where to cut.
//
// Search: greedy marginal allocation. Each step raises the one unit whose next move costs the least predicted
// loss per unit of progress toward the target; a move may jump over several measured ratios (a look-ahead over
// breakpoints), so a unit whose first 10% is costly but whose next 20% is nearly free is still found. The last
// move is cut short, inside its linear segment, exactly where the target is met.

import { z } from 'zod';
import type { Part } from '../yolo/part-map';
import { PlanError } from './errors';
import { curveValueAt, maxMeasuredRatio } from './sensitivity-curves';
import type { SensitivityBaseline, SensitivityCurve } from './sensitivity-types';

const reduction = z.number().gt(0).lt(1);

/** Fractions of the baseline to remove; at least one. Both given: both must be met. */
export const SensitivityTargetSchema = z
  .object({ flopsReduction: reduction.optional(), paramsReduction: reduction.optional() })
  .strict()
  .refine((t) => t.flopsReduction !== undefined || t.paramsReduction !== undefined, {
    message: 'name flopsReduction, paramsReduction or both',
  });
export type SensitivityTarget = z.output<typeof SensitivityTargetSchema>;

/** Safe per-part maxima from the YOLOv5 compression review (DESIGN §1); pass as `bounds` to apply them. */
export const REVIEW_PART_BOUNDS: Readonly<Record<Part, number>> = { backbone: 0.4, neck: 0.3, head: 0.15 };

export interface AllocationOptions {
  /** No unit is pruned beyond this ratio. Default: only each curve's last measured ratio limits it. */
  maxRatio?: number;
  /** Per-part maxima, e.g. REVIEW_PART_BOUNDS. Default: none. */
  bounds?: Partial<Record<Part, number>>;
  /** Return the best reachable allocation with `met: false` instead of throwing PLAN_TARGET_UNREACHABLE. */
  allowPartial?: boolean;
}

export interface SensitivityAllocation {
  /** Ratio per ultralytics module key (`model.6`), units left unpruned omitted; fits the plan's `modules`. */
  modules: Record<string, number>;
  predictedMap50_95: number;
  predictedFlops: number;
  predictedParams: number;
  /** Whether the prediction meets every requested reduction. */
  met: boolean;
}

type Metric = 'flops' | 'params';
interface Gain {
  loss: number;
  flops: number;
  params: number;
}
interface Unit {
  curve: SensitivityCurve;
  cap: number;
  /** Ratios a move may end at: measured ratios below the cap, then the cap. */
  stops: number[];
  ratio: number;
}

/** Ratios are written with 4 decimals, rounded up so that rounding never un-meets the target. */
const RATIO_STEP = 1e-4;
const EPS = 1e-9;

function checkRatio(where: string, r: number | undefined): void {
  if (r !== undefined && !(r >= 0 && r <= 1))
    throw new PlanError('PLAN_TARGET_INVALID', `${where}: ${r} is outside [0, 1]`);
}

export function allocateSensitivityRatios(
  baseline: SensitivityBaseline,
  curves: readonly SensitivityCurve[],
  target: SensitivityTarget,
  options: AllocationOptions = {},
): SensitivityAllocation {
  const parsed = SensitivityTargetSchema.safeParse(target);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(target)'}: ${i.message}`)
      .join('; ');
    throw new PlanError('PLAN_TARGET_INVALID', `invalid target: ${issues}`);
  }
  checkRatio('maxRatio', options.maxRatio);
  for (const [stage, r] of Object.entries(options.bounds ?? {})) checkRatio(`bounds.${stage}`, r);

  const need: Partial<Record<Metric, number>> = {};
  if (parsed.data.flopsReduction !== undefined) need.flops = parsed.data.flopsReduction * baseline.flops;
  if (parsed.data.paramsReduction !== undefined) need.params = parsed.data.paramsReduction * baseline.params;
  const metrics = Object.keys(need) as Metric[];

  const gainAt = (u: Unit, r: number): Gain => {
    const v = curveValueAt(u.curve, baseline, r);
    return {
      loss: baseline.map50_95 - v.map50_95,
      flops: baseline.flops - v.flops,
      params: baseline.params - v.params,
    };
  };
  const units: Unit[] = curves.flatMap((curve) => {
    const cap = Math.min(options.maxRatio ?? 1, options.bounds?.[curve.stage] ?? 1, maxMeasuredRatio(curve));
    if (!(cap > 0)) return [];
    const stops = [...curve.points.map((p) => p.ratio).filter((r) => r < cap), cap];
    return [{ curve, cap, stops, ratio: 0 }];
  });

  const saved: Record<Metric, number> = { flops: 0, params: 0 };
  const unmet = () => metrics.filter((m) => need[m]! - saved[m] > EPS * need[m]!);

  for (let open = unmet(); open.length > 0; open = unmet()) {
    const progress = (from: Gain, to: Gain) => open.reduce((s, m) => s + (to[m] - from[m]) / need[m]!, 0);
    let best: { unit: Unit; to: number; efficiency: number } | undefined;
    for (const unit of units) {
      const from = gainAt(unit, unit.ratio);
      for (const to of unit.stops.filter((r) => r > unit.ratio)) {
        const next = gainAt(unit, to);
        const p = progress(from, next);
        if (!(p > EPS)) continue;
        const efficiency = (next.loss - from.loss) / p;
        if (best === undefined || efficiency < best.efficiency - 1e-15) best = { unit, to, efficiency };
      }
    }
    if (best === undefined) break; // every unit is at its cap, or no move helps the open targets
    const { unit, to } = best;
    const start = gainAt(unit, unit.ratio);
    // Walk the move's linear segments; stop inside the first one at whose end every open target is met.
    let s0 = unit.ratio;
    let end = to;
    for (const s1 of unit.stops.filter((r) => r > unit.ratio && r <= to)) {
      const g0 = gainAt(unit, s0);
      const g1 = gainAt(unit, s1);
      const metAtEnd = open.every((m) => saved[m] + g1[m] - start[m] >= need[m]! * (1 - EPS));
      if (metAtEnd) {
        const t = Math.max(
          0,
          ...open.map((m) => {
            const missing = need[m]! - (saved[m] + g0[m] - start[m]);
            const delta = g1[m] - g0[m];
            return missing <= 0 || delta <= 0 ? 0 : Math.min(1, missing / delta);
          }),
        );
        end = s0 + t * (s1 - s0);
        break;
      }
      s0 = s1;
    }
    const finish = gainAt(unit, end);
    for (const m of metrics) saved[m] += finish[m] - start[m];
    unit.ratio = end;
  }

  // Final figures come from the ratios as written, not from the running sums.
  const modules: Record<string, number> = {};
  const total: Gain = { loss: 0, flops: 0, params: 0 };
  for (const unit of units) {
    if (unit.ratio <= 0) continue;
    const ratio = Math.min(
      unit.cap,
      Number((Math.ceil(unit.ratio / RATIO_STEP - 1e-6) * RATIO_STEP).toFixed(4)),
    );
    modules[unit.curve.unit] = ratio;
    const g = gainAt(unit, ratio);
    total.loss += g.loss;
    total.flops += g.flops;
    total.params += g.params;
  }
  const met = metrics.every((m) => total[m] >= need[m]! * (1 - 1e-6));
  if (!met && !options.allowPartial) {
    const reach = metrics.map(
      (m) =>
        `${m} reduction ${fraction(need[m]!, baseline[m])} asked, at most ${fraction(total[m], baseline[m])} reachable`,
    );
    throw new PlanError(
      'PLAN_TARGET_UNREACHABLE',
      `target unreachable with the scanned ratios and bounds: ${reach.join('; ')}`,
    );
  }
  return {
    modules,
    predictedMap50_95: baseline.map50_95 - total.loss,
    predictedFlops: baseline.flops - total.flops,
    predictedParams: baseline.params - total.params,
    met,
  };
}

const fraction = (part: number, whole: number): string => (whole > 0 ? (part / whole).toFixed(3) : 'n/a');
