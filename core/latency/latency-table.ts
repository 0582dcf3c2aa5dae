// NetAdapt's latency model: for every prunable unit (a dependency group), the measured latency of the whole
// model with only that unit narrowed to each candidate width. A pruned model's latency is predicted from the
// units' own changes composed as ratios over the part of the latency that pruning can shrink: a group is the
// output of one conv and the input of the next, so a conv between two cut groups shrinks by the product of
// their kept shares; adding the savings instead counts that overlap twice (summed savings went below zero on
// heavily pruned models). The part no cut shrinks (`fixedMs`: decoding, memory-bound ops, per-run overhead)
// is fitted on one jointly pruned calibration model the table measures. The prediction error on whole pruned
// models is measured and reported (bench/latency-table-error.ts), not assumed.

import { z } from 'zod';

/** What a table was measured for: a table is reused only for the same model, runtime and host. */
export const LatencyKeySchema = z
  .object({
    modelSha256: z.string().regex(/^[0-9a-f]{64}$/),
    provider: z.enum(['cpu', 'cuda']),
    threads: z.number().int().min(1),
    batch: z.number().int().min(1),
    imgsz: z.number().int().min(32),
    /** CPU model, cores, onnxruntime and Node versions: latencies do not carry across them. */
    host: z.string().min(1),
  })
  .strict();
export type LatencyKey = z.output<typeof LatencyKeySchema>;

export const UnitLatencySchema = z
  .object({
    /** The unit's full width in the measured model. */
    full: z.number().int().positive(),
    /** Candidate widths, descending, each below `full`. */
    widths: z.array(z.number().int().positive()),
    /** Median latency (ms) of the model with only this unit at each width. */
    ms: z.array(z.number().positive()),
  })
  .refine((u) => u.widths.length === u.ms.length, { message: 'one latency per width' });
export type UnitLatency = z.output<typeof UnitLatencySchema>;

export const LatencyTableSchema = z
  .object({
    version: z.literal(1),
    key: LatencyKeySchema,
    /** Median latency of the unpruned model (ms). */
    baseMs: z.number().positive(),
    /** Spread of the base measurement: p90 − median (ms), to judge what a decrement can resolve. */
    noiseMs: z.number().nonnegative(),
    runs: z.number().int().positive(),
    /** Latency no unit's cut shrinks (ms), fitted on the calibration model; 0 composes plain ratios. */
    fixedMs: z.number().nonnegative().default(0),
    units: z.record(z.string(), UnitLatencySchema),
  })
  .strict();
export type LatencyTable = z.input<typeof LatencyTableSchema>;

/** The table's latency for one unit at `width` (linear between measured widths; the base at full width). */
export function unitLatency(table: LatencyTable, unit: string, width: number): number {
  const u = table.units[unit];
  if (!u || width >= u.full) return table.baseMs;
  const xs = [u.full, ...u.widths];
  const ys = [table.baseMs, ...u.ms];
  for (let i = 1; i < xs.length; i++) {
    if (width >= xs[i]!) {
      const t = (xs[i - 1]! - width) / (xs[i - 1]! - xs[i]!);
      return ys[i - 1]! + t * (ys[i]! - ys[i - 1]!);
    }
  }
  // Below the narrowest measured width: keep the last measured slope.
  const n = xs.length;
  if (n < 2) return table.baseMs;
  const slope = (ys[n - 1]! - ys[n - 2]!) / (xs[n - 1]! - xs[n - 2]!);
  return ys[n - 1]! + slope * (width - xs[n - 1]!);
}

/**
 * Predicted latency of the model with each named unit at its width (others full): the fixed part plus the
 * shrinkable part scaled by every unit's own ratio, F + (base − F) × Π (unit − F) / (base − F).
 */
export function predictLatency(
  table: LatencyTable,
  widths: Readonly<Record<string, number>>,
  fixedMs = table.fixedMs ?? 0,
): number {
  const variable = table.baseMs - fixedMs;
  let ms = variable;
  for (const [unit, w] of Object.entries(widths))
    ms *= Math.max(unitLatency(table, unit, w) - fixedMs, 0) / variable;
  return fixedMs + ms;
}

/**
 * The fixed part that makes the prediction for `widths` equal `measuredMs` (bisection: the prediction rises
 * with it, since a larger fixed part leaves the joint cuts less to share). 0 when plain ratios already
 * predict a model as slow or slower; below the narrowest single-unit latency, so every ratio stays positive.
 */
export function fitFixedMs(
  table: LatencyTable,
  widths: Readonly<Record<string, number>>,
  measuredMs: number,
): number {
  if (predictLatency(table, widths, 0) >= measuredMs) return 0;
  let lo = 0;
  let hi =
    Math.min(...Object.entries(widths).map(([u, w]) => unitLatency(table, u, w)), table.baseMs) * 0.999;
  if (predictLatency(table, widths, hi) <= measuredMs) return hi;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (predictLatency(table, widths, mid) < measuredMs) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** At most `count` of the widths `all` (descending), spread evenly from the widest to the narrowest. */
export function candidateWidths(all: readonly number[], count: number): number[] {
  if (all.length <= count) return [...all];
  // One width: the middle one, so that interpolation above it and the slope below it span the range.
  if (count === 1) return [all[Math.floor(all.length / 2)]!];
  const step = (all.length - 1) / (count - 1);
  return [...new Set(Array.from({ length: count }, (_, i) => all[Math.round(i * step)]!))];
}
