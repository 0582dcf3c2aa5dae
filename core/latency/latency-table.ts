// NetAdapt's latency model: for every prunable unit (a dependency group), the measured latency of the whole
// model with only that unit narrowed to each candidate width. A pruned model's latency is predicted as the
// base latency times every unit's own latency ratio. Ratios, not differences, compose: a group is the output
// of one conv and the input of the next, so a conv between two cut groups shrinks by the product of their
// kept shares, and adding the two savings counts the overlap twice (summed savings went below zero on
// heavily pruned models). The prediction error on whole pruned models is measured and reported, not assumed.

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
    units: z.record(z.string(), UnitLatencySchema),
  })
  .strict();
export type LatencyTable = z.output<typeof LatencyTableSchema>;

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

/** Predicted latency of the model with each named unit at its width (others full): base × Π unit ratios. */
export function predictLatency(table: LatencyTable, widths: Readonly<Record<string, number>>): number {
  let ms = table.baseMs;
  for (const [unit, w] of Object.entries(widths))
    ms *= Math.max(unitLatency(table, unit, w), 0) / table.baseMs;
  return ms;
}

/** Candidate widths below `full`: multiples of `roundTo`, at most `count` of them spread evenly, descending. */
export function candidateWidths(full: number, roundTo: number, minWidth: number, count: number): number[] {
  const all: number[] = [];
  for (let w = Math.floor((full - 1) / roundTo) * roundTo; w >= Math.max(minWidth, roundTo); w -= roundTo)
    all.push(w);
  if (all.length <= count) return all;
  const step = (all.length - 1) / (count - 1);
  return [...new Set(Array.from({ length: count }, (_, i) => all[Math.round(i * step)]!))];
}
