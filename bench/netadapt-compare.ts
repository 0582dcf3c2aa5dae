// NetAdapt against the FLOPs planners at one measured latency budget (issue 12), through the product on the
// local stack (workers running: bash bench/support/with-workers.sh OUT npx tsx bench/netadapt-compare.ts ...):
//   1. `stageprune run --planner netadapt --latency-reduction R` (the budget is R below the base model's
//      1-thread batch-1 latency as the planner measures it), then the long fine-tune;
//   2. `staged` and `sensitivity` scaled to the same *measured* latency: their FLOPs target is calibrated by
//      secant steps on runs without fine-tuning (each pruned model timed against NetAdapt's in interleaved
//      rounds) until within --tolerance of it, then run once with the same long fine-tune;
//   3. every final model and the base timed together in interleaved rounds.
// Resumable: finished runs are kept in OUT/results.json.
//
//   npx tsx bench/netadapt-compare.ts [--reduction 0.4] [--epochs 15] [--seed 0] [--out tmp/netadapt-compare]
//       [--planner-options '{"proposals":8,"finetuneSteps":20}'] [--tolerance 0.03] [--rounds 5]

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  deployedUri,
  localModelCopy,
  latencyRounds,
  runCompression,
  type RunResult,
} from './support/stack-runs';

const { values } = parseArgs({
  options: {
    reduction: { type: 'string', default: '0.4' },
    epochs: { type: 'string', default: '15' },
    seed: { type: 'string', default: '0' },
    model: { type: 'string', default: 'models/yolov8n-bccd.onnx' },
    data: { type: 'string', default: 'datasets/bccd' },
    out: { type: 'string', default: 'tmp/netadapt-compare' },
    'planner-options': { type: 'string' },
    tolerance: { type: 'string', default: '0.03' },
    probes: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '5' },
  },
});
const out = path.resolve(values.out!);
fs.mkdirSync(out, { recursive: true });
const stateFile = path.join(out, 'results.json');
interface Entry {
  flopsReduction?: number;
  result: RunResult;
  wallSeconds: number;
  probes?: { flopsReduction: number; latencyMs: number; targetMs: number }[];
  /** The planner could not reach NetAdapt's latency: it ran at the nearest cut it could make. */
  unreachable?: boolean;
}
const state: Record<string, Entry> = fs.existsSync(stateFile)
  ? (JSON.parse(fs.readFileSync(stateFile, 'utf8')) as Record<string, Entry>)
  : {};
const save = () => fs.writeFileSync(stateFile, `${JSON.stringify(state, null, 1)}\n`);
const common = ['--model', values.model!, '--data', values.data!, '--seed', values.seed!];
const imgsz = 416;

async function localModel(name: string, r: RunResult): Promise<string> {
  const file = path.join(out, `${name}.onnx`);
  await localModelCopy(deployedUri(r), file);
  return file;
}

function timed(id: string, flags: string[]): Entry {
  const t0 = Date.now();
  const result = runCompression(id, [...common, ...flags]);
  return { result, wallSeconds: (Date.now() - t0) / 1000 };
}

/** Planners whose pruned model could not be made as fast as NetAdapt's: they run at the nearest cut. */
const unreachable = new Set<string>();

/** The FLOPs reduction at which `planner`'s pruned model is as fast as `targetFile`, by secant steps. */
async function calibrate(planner: string, targetFile: string, start: number) {
  const probes: { flopsReduction: number; latencyMs: number; targetMs: number }[] = [];
  let f = start;
  for (let i = 0; i < Number(values.probes); i++) {
    const id = `nacmp-${planner}-probe-${f.toFixed(4)}`;
    let probe: Entry;
    try {
      probe = state[id] ?? timed(id, ['--planner', planner, '--target-flops', f.toFixed(4), '--epochs', '0']);
    } catch (err) {
      // A planner that cannot reach this cut (the sensitivity planner's stage bounds stop it near −49%):
      // step back until it can, and report the nearest it reaches.
      console.error(`${planner}: FLOPs −${(100 * f).toFixed(1)}% is out of its reach (${String(err)})`);
      unreachable.add(planner);
      f = Math.max(0.05, f - 0.02);
      continue;
    }
    state[id] = probe;
    save();
    const lat = latencyRounds(
      { target: targetFile, probe: await localModel(id, probe.result) },
      { rounds: 3, imgsz },
    );
    probes.push({ flopsReduction: f, latencyMs: lat['probe']!.medianMs, targetMs: lat['target']!.medianMs });
    const rel = lat['probe']!.medianMs / lat['target']!.medianMs - 1;
    console.error(`${planner}: FLOPs −${(100 * f).toFixed(1)}% → ${(100 * rel).toFixed(1)}% vs NetAdapt`);
    if (Math.abs(rel) <= Number(values.tolerance)) break;
    // Latency relative to the target as a function of f: secant through the last two probes, else a slope
    // of one (latency falls about as fast as FLOPs, relative to the base).
    const prev = probes.at(-2);
    const slope = prev
      ? (probes.at(-1)!.latencyMs / probes.at(-1)!.targetMs - prev.latencyMs / prev.targetMs) /
        (f - prev.flopsReduction)
      : -1;
    f = Math.min(0.95, Math.max(0.05, f - rel / (slope < -0.05 ? slope : -1)));
  }
  if (probes.length === 0) throw new Error(`${planner}: no probe succeeded`);
  const best = probes.reduce((a, b) =>
    Math.abs(a.latencyMs / a.targetMs - 1) <= Math.abs(b.latencyMs / b.targetMs - 1) ? a : b,
  );
  return { flopsReduction: best.flopsReduction, probes };
}

async function main(): Promise<void> {
  const epochs = ['--epochs', values.epochs!];
  state['netadapt'] ??= timed('nacmp-netadapt', [
    '--planner',
    'netadapt',
    '--latency-reduction',
    values.reduction!,
    ...epochs,
    ...(values['planner-options'] ? ['--planner-options', values['planner-options']] : []),
  ]);
  save();
  const na = state['netadapt']!;
  const naFile = await localModel('netadapt', na.result);
  const naFlops = 1 - na.result.after.flops / na.result.before.flops;
  for (const planner of ['staged', 'sensitivity']) {
    if (state[planner]) continue;
    const { flopsReduction, probes } = await calibrate(planner, naFile, naFlops);
    const e = timed(`nacmp-${planner}`, [
      '--planner',
      planner,
      '--target-flops',
      flopsReduction.toFixed(4),
      ...epochs,
    ]);
    state[planner] = {
      ...e,
      flopsReduction,
      probes,
      ...(unreachable.has(planner) ? { unreachable: true } : {}),
    };
    save();
  }
  const files: Record<string, string> = { base: path.resolve(values.model!) };
  for (const name of ['netadapt', 'staged', 'sensitivity'])
    files[name] = await localModel(name, state[name]!.result);
  const lat = latencyRounds(files, { rounds: Number(values.rounds), imgsz });
  const base = lat['base']!.medianMs;
  const lines = [
    `base: ${base.toFixed(2)} ms; budget ${(100 * (1 - Number(values.reduction))).toFixed(0)}% of it = ${(
      base *
      (1 - Number(values.reduction))
    ).toFixed(2)} ms (1 thread, batch 1, ${imgsz} px, ${values.rounds} interleaved rounds)`,
    '',
    '| planner | FLOPs −% | latency ms (range) | speed-up | speed-up ÷ FLOPs factor | mAP50-95 | mAP50 | search s | run s |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const name of ['netadapt', 'staged', 'sensitivity']) {
    const e = state[name]!;
    const r = e.result;
    const l = lat[name]!;
    const factor = r.before.flops / r.after.flops;
    lines.push(
      `| ${name}${e.unreachable ? ' (nearest cut it reaches)' : ''} | ${(100 * (1 - 1 / factor)).toFixed(1)} | ${l.medianMs.toFixed(2)} (${l.minMs.toFixed(
        2,
      )}–${l.maxMs.toFixed(2)}) | ${(base / l.medianMs).toFixed(2)} | ${(base / l.medianMs / factor).toFixed(
        2,
      )} | ${r.after.map50_95.toFixed(4)} | ${r.after.map50.toFixed(4)} | ${(
        r.stepSeconds['planning'] ?? NaN
      ).toFixed(0)} | ${e.wallSeconds.toFixed(0)} |`,
    );
  }
  const table = `${lines.join('\n')}\n`;
  fs.writeFileSync(path.join(out, 'summary.md'), table);
  fs.writeFileSync(path.join(out, 'latency.json'), `${JSON.stringify(lat, null, 1)}\n`);
  console.log(table);
}

void main();
