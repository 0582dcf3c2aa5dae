// How well NetAdapt's latency table predicts whole pruned models: measure the table of a model, then prune it
// N times with random widths for every group (candidates of the table, a random subset of groups cut) and
// compare the table's prediction with each pruned model's measured latency (timed in pairs against the base,
// as the table's entries are, so that load on a shared machine between the two cancels).
//
//   npx tsx bench/latency-table-error.ts --model models/yolov8n-bccd.onnx [--models 24] [--threads 1]
//       [--imgsz 416] [--runs 15] [--widths 8] [--seed 0] [--out tmp/latency-table-error.json]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { predictLatency, unitLatency, type LatencyTable } from '../core/latency/latency-table';
import { decodeModel, encodeModel, imageInputSize } from '../core/onnx';
import { pruneModel } from '../core/pruning/prune-model';
import { computeStats } from '../core/stats';
import { createRandom } from '../core/yolo';
import { hostFingerprint } from '../runtime/latency/host-fingerprint';
import { summarizeSamples } from '../runtime/latency';
import { measureLatencyTable, openForTiming, timeInPairs } from '../runtime/latency/measure-table';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'models/yolov8n-bccd.onnx' },
      models: { type: 'string', default: '24' },
      threads: { type: 'string', default: '1' },
      imgsz: { type: 'string' },
      runs: { type: 'string', default: '15' },
      widths: { type: 'string', default: '8' },
      seed: { type: 'string', default: '0' },
      table: { type: 'string' },
      out: { type: 'string', default: 'tmp/latency-table-error.json' },
    },
  });
  const bytes = fs.readFileSync(values.model!);
  const model = decodeModel(bytes);
  const imgsz = Number(values.imgsz ?? imageInputSize(model) ?? 640);
  const settings = {
    provider: 'cpu' as const,
    threads: Number(values.threads),
    batch: 1,
    imgsz,
    runs: Number(values.runs),
    warmup: 3,
  };
  const started = Date.now();
  const table: LatencyTable = values.table
    ? (JSON.parse(fs.readFileSync(values.table, 'utf8')) as LatencyTable)
    : await measureLatencyTable(
        bytes,
        {
          modelSha256: '0'.repeat(64),
          provider: 'cpu',
          threads: settings.threads,
          batch: 1,
          imgsz,
          host: hostFingerprint(),
        },
        {
          ...settings,
          widthsPerUnit: Number(values.widths),
          roundTo: 8,
          onProgress: (d, t) => d % 50 === 0 && console.error(`table ${d}/${t}`),
        },
      );
  const tableSeconds = (Date.now() - started) / 1000;
  fs.mkdirSync(path.dirname(values.out!), { recursive: true });
  fs.writeFileSync(values.out!.replace(/\.json$/, '.table.json'), JSON.stringify(table));

  const random = createRandom(Number(values.seed));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-table-error-'));
  const rows: {
    predictedMs: number;
    ratiosMs: number;
    additiveMs: number;
    measuredMs: number;
    errorPct: number;
    flopsKept: number;
    groupsCut: number;
  }[] = [];
  // Deploy form on both sides (BN folded), as every reduction the product reports.
  const baseFlops = computeStats(model, { imgsz, form: 'deploy' }).flops;
  const baseFile = path.join(dir, 'base.onnx');
  fs.writeFileSync(baseFile, bytes);
  const base = await openForTiming(baseFile, settings);
  try {
    for (let i = 0; i < Number(values.models); i++) {
      // Cut a random share of the groups (10%..100%), each to a random measured width.
      const share = 0.1 + 0.9 * random();
      const widths: Record<string, number> = {};
      const groups: Record<string, number> = {};
      for (const [unit, u] of Object.entries(table.units)) {
        if (random() > share || u.widths.length === 0) continue;
        const w = u.widths[Math.floor(random() * u.widths.length)]!;
        widths[unit] = w;
        groups[unit] = 1 - w / u.full;
      }
      const pruned = await pruneModel(model, { groups, round_to: 8, min_channels: 8 });
      const file = path.join(dir, 'm.onnx');
      fs.writeFileSync(file, encodeModel(pruned.model));
      // Timed in pairs against the base (as the table was), so that the machine's drift since the table
      // cancels: the measured latency is the table's base times the median paired ratio.
      const variant = await openForTiming(file, settings);
      let pairs: { baseMs: number[]; variantMs: number[] };
      try {
        pairs = await timeInPairs(base, variant, settings);
      } finally {
        await variant.release();
      }
      const ratio = summarizeSamples(pairs.variantMs.map((v, k) => v / pairs.baseMs[k]!)).median;
      const measuredMs = table.baseMs * ratio;
      const predictedMs = predictLatency(table, widths);
      // The rules this one replaced, for comparison: plain ratios (no fixed part), and base + Σ (unit − base).
      const ratiosMs = predictLatency(table, widths, 0);
      const additiveMs = Object.entries(widths).reduce(
        (ms, [unit, w]) => ms + unitLatency(table, unit, w) - table.baseMs,
        table.baseMs,
      );
      rows.push({
        predictedMs,
        ratiosMs,
        additiveMs,
        measuredMs,
        errorPct: (100 * (predictedMs - measuredMs)) / measuredMs,
        flopsKept: computeStats(pruned.model, { imgsz, form: 'deploy' }).flops / baseFlops,
        groupsCut: Object.keys(widths).length,
      });
      console.error(
        `model ${i + 1}: predicted ${predictedMs.toFixed(2)} ms, measured ${measuredMs.toFixed(2)} ms`,
      );
    }
  } finally {
    await base.release();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const abs = rows.map((r) => Math.abs(r.errorPct)).sort((a, b) => a - b);
  const summary = {
    model: values.model,
    host: hostFingerprint(),
    settings,
    baseMs: table.baseMs,
    noiseMs: table.noiseMs,
    units: Object.keys(table.units).length,
    tableSeconds,
    models: rows.length,
    medianAbsErrorPct: abs[Math.floor(abs.length / 2)],
    p90AbsErrorPct: abs[Math.min(abs.length - 1, Math.ceil(0.9 * abs.length) - 1)],
    meanSignedErrorPct: rows.reduce((a, r) => a + r.errorPct, 0) / rows.length,
    fixedMs: table.fixedMs ?? 0,
    ratiosMedianAbsErrorPct:
      median(rows.map((r) => Math.abs(r.ratiosMs - r.measuredMs) / r.measuredMs)) * 100,
    additiveMedianAbsErrorPct:
      median(rows.map((r) => Math.abs(r.additiveMs - r.measuredMs) / r.measuredMs)) * 100,
    rows,
  };
  fs.writeFileSync(values.out!, JSON.stringify(summary, null, 2));
  console.log(JSON.stringify({ ...summary, rows: undefined }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

void main();
