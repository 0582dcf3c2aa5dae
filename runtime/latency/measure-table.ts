// Measures NetAdapt's latency table for a model: every prunable dependency group narrowed alone to each
// candidate width. Each variant is timed against the base model in interleaved pairs (base, variant, base,
// variant, ...; fixed threads, warm-up) and its latency change is the median of the paired differences, so
// load on a shared machine, which hits both of a pair alike, cancels instead of piling up over the units a
// prediction adds together. A change inside the pairs' own uncertainty counts as none, and a narrower unit is
// never slower: the changes are made monotone in width. Last, one calibration model with every group cut at
// once (each to its middle candidate width) is timed the same way, and the latency no cut shrinks is fitted
// so that the table predicts it (core/latency/latency-table.ts).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeModel, encodeModel } from '../../core/onnx';
import { buildChannelGraph } from '../../core/pruning/dependency/channel-graph';
import { buildGroups } from '../../core/pruning/groups';
import { reachableWidths } from '../../core/pruning/plan/reachable-widths';
import { pruneModel } from '../../core/pruning/prune-model';
import {
  candidateWidths,
  fitFixedMs,
  type LatencyKey,
  type LatencyTable,
} from '../../core/latency/latency-table';
import { openDetector, type DetectorSession } from '../inference';
import { benchmarkLatency, summarizeSamples } from '../latency';
import { PAD_VALUE } from '../../core/preprocess';
import { StagepruneError } from '../../core/errors';

/**
 * No unit's latency change could be told from the measurement's noise: a loaded or unsteady host (or too few
 * runs), not a property of the model. Retryable, and such a table is never stored for reuse.
 */
export class LatencyTableUnresolvedError extends StagepruneError {
  constructor(baseMs: number, noiseMs: number, runs: number) {
    super(
      'LATENCY_TABLE_UNRESOLVED',
      `the latency table resolved no prunable group's saving from the measurement noise (base ${baseMs.toFixed(3)} ms, p90 − median ${noiseMs.toFixed(3)} ms over ${runs} runs): measure on a quiet host or with more runs`,
      { isInputError: false },
    );
  }
}

export interface TableOptions {
  provider: 'cpu' | 'cuda';
  threads: number;
  batch: number;
  imgsz: number;
  runs: number;
  warmup: number;
  /** At most this many candidate widths per unit (multiples of roundTo, spread evenly). */
  widthsPerUnit: number;
  roundTo: number;
  onProgress?: (done: number, total: number) => void;
}

/** A session set up as every table measurement is: fixed threads, full graph optimisation. */
export function openForTiming(
  file: string,
  o: Pick<TableOptions, 'provider' | 'threads'>,
): Promise<DetectorSession> {
  return openDetector(file, {
    ep: o.provider,
    graphOptimizationLevel: 'all',
    intraOpThreads: o.threads,
    interOpThreads: 1,
  });
}

export async function measureModelLatency(file: string, o: Omit<TableOptions, 'widthsPerUnit' | 'roundTo'>) {
  const detector = await openForTiming(file, o);
  try {
    return await benchmarkLatency(detector, {
      batch: o.batch,
      imgsz: o.imgsz,
      warmup: o.warmup,
      runs: o.runs,
    });
  } finally {
    await detector.release();
  }
}

/** `runs` timings of base and variant back to back after a warm-up, alternating which goes first. */
export async function timeInPairs(
  base: DetectorSession,
  variant: DetectorSession,
  o: Pick<TableOptions, 'batch' | 'imgsz' | 'runs' | 'warmup'>,
): Promise<{ baseMs: number[]; variantMs: number[] }> {
  const input = new Float32Array(o.batch * 3 * o.imgsz * o.imgsz).fill(PAD_VALUE / 255);
  const time = async (d: DetectorSession) => {
    const t0 = process.hrtime.bigint();
    await d.run(input, o.batch, o.imgsz);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  for (let i = 0; i < o.warmup; i++) {
    await time(base);
    await time(variant);
  }
  const baseMs: number[] = [];
  const variantMs: number[] = [];
  for (let i = 0; i < o.runs; i++) {
    // Alternate which goes first, so neither always inherits the other's cache state.
    if (i % 2) {
      baseMs.push(await time(base));
      variantMs.push(await time(variant));
    } else {
      variantMs.push(await time(variant));
      baseMs.push(await time(base));
    }
  }
  return { baseMs, variantMs };
}

/** Median of `runs` paired differences (variant − base), both timed back to back after a warm-up. */
async function pairedDeltaMs(
  base: DetectorSession,
  variant: DetectorSession,
  o: Pick<TableOptions, 'batch' | 'imgsz' | 'runs' | 'warmup'>,
): Promise<number> {
  const t = await timeInPairs(base, variant, o);
  const deltas = t.variantMs.map((v, i) => v - t.baseMs[i]!);
  const median = summarizeSamples(deltas).median;
  // A change within the measurement's own uncertainty is read as none (2 standard errors of the median,
  // the spread estimated robustly by the MAD): otherwise the noise of dozens of units adds up in a prediction.
  const mad = summarizeSamples(deltas.map((d) => Math.abs(d - median))).median;
  const standardError = (1.2533 * 1.4826 * mad) / Math.sqrt(deltas.length);
  return Math.abs(median) < 2 * standardError ? 0 : median;
}

/** Latency changes made non-increasing as the width falls (and never above the base): noise, not physics. */
function monotone(ms: number[], baseMs: number): number[] {
  let ceiling = baseMs;
  return ms.map((v) => (ceiling = Math.min(ceiling, v)));
}

export async function measureLatencyTable(
  modelBytes: Uint8Array,
  key: LatencyKey,
  o: TableOptions,
): Promise<LatencyTable> {
  const model = decodeModel(modelBytes);
  const gs = buildGroups(buildChannelGraph(model));
  // Only widths the engine can cut to (per-segment rounding), each timed at the ratio that gives it.
  const jobs: { unit: string; width: number; full: number; ratio: number }[] = [];
  for (const [unit, reachable] of reachableWidths(gs, o.roundTo, o.roundTo)) {
    const full = gs.byId.get(unit)!.components.length;
    const ratioOf = new Map(reachable.map((r) => [r.width, r.ratio]));
    const widths = reachable.map((r) => r.width);
    for (const width of candidateWidths(widths, o.widthsPerUnit))
      jobs.push({ unit, width, full, ratio: ratioOf.get(width)! });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-latency-'));
  const baseFile = path.join(dir, 'base.onnx');
  fs.writeFileSync(baseFile, modelBytes);
  const base = await openForTiming(baseFile, o);
  try {
    const first = await benchmarkLatency(base, {
      batch: o.batch,
      imgsz: o.imgsz,
      warmup: o.warmup,
      runs: o.runs,
    });
    const units: LatencyTable['units'] = {};
    /** The paired latency change of `base` pruned by `groups` (fractions of each group's width). */
    const timedChange = async (groups: Record<string, number>) => {
      const pruned = await pruneModel(model, { groups, round_to: o.roundTo, min_channels: o.roundTo });
      const file = path.join(dir, 'variant.onnx');
      fs.writeFileSync(file, encodeModel(pruned.model));
      const variant = await openForTiming(file, o);
      try {
        return await pairedDeltaMs(base, variant, o);
      } finally {
        await variant.release();
      }
    };
    for (const [i, job] of jobs.entries()) {
      const delta = await timedChange({ [job.unit]: job.ratio });
      const u = (units[job.unit] ??= { full: job.full, widths: [], ms: [] });
      u.widths.push(job.width);
      u.ms.push(Math.max(first.medianMs + delta, 1e-3));
      o.onProgress?.(i + 1, jobs.length);
    }
    for (const u of Object.values(units)) u.ms = monotone(u.ms, first.medianMs);
    if (jobs.length > 0 && Object.values(units).every((u) => u.ms.every((ms) => ms >= first.medianMs)))
      throw new LatencyTableUnresolvedError(first.medianMs, first.p90Ms - first.medianMs, o.runs);
    const calibration: Record<string, number> = {};
    const calibrationRatios: Record<string, number> = {};
    for (const [unit, u] of Object.entries(units)) {
      if (u.widths.length === 0) continue;
      const middle = jobs.filter((j) => j.unit === unit)[Math.floor(u.widths.length / 2)]!;
      calibration[unit] = middle.width;
      calibrationRatios[unit] = middle.ratio;
    }
    const partial: LatencyTable = {
      version: 1,
      key,
      baseMs: first.medianMs,
      noiseMs: first.p90Ms - first.medianMs,
      runs: o.runs,
      units,
    };
    const calibrationMs = first.medianMs + (await timedChange(calibrationRatios));
    return { ...partial, fixedMs: fitFixedMs(partial, calibration, calibrationMs) };
  } finally {
    await base.release();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
