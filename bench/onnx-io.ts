// Benchmark: parse + stats + serialize of a yolov8x ONNX file (stageprune's TypeScript IR), side by side
// with the Python `onnx` package loading and saving the same file (bench/onnx-io.py). Each side runs in a
// fresh process so that peak RSS is its own. Usage, from the repository root:
//
//   npx tsx bench/onnx-io.ts [--arch yolov8x] [--python PATH]
//
// Prints one Markdown table row per side and the ratio; paste them into docs/BENCHMARKS.md.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decodeModel, encodeModel } from '../core/onnx';
import { computeStats } from '../core/stats';
import { buildYolo, specOfArch } from '../core/yolo';
import { venvPython } from '../runtime/paths';

interface Measurement {
  readonly side: string;
  readonly wallMs: number;
  readonly parseMs: number;
  readonly middleMs: number;
  readonly serializeMs: number;
  readonly peakRssMiB: number;
  readonly baselineRssMiB: number;
}

/**
 * Peak resident memory of this process in MiB. VmHWM, not getrusage's maxRSS: on Linux a child's maxRSS
 * starts from its parent's peak at fork (it survives exec), which here is the parent that built the model.
 */
function peakRssMiB(): number {
  const status = fs.existsSync('/proc/self/status') ? fs.readFileSync('/proc/self/status', 'utf8') : '';
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

/** The measured side: runs in a child process (`--measure FILE`). */
function measure(file: string): Measurement {
  const baselineRssMiB = peakRssMiB();
  const t0 = performance.now();
  const model = decodeModel(fs.readFileSync(file));
  const t1 = performance.now();
  const stats = computeStats(model);
  const t2 = performance.now();
  fs.writeFileSync(`${file}.ts-out.onnx`, encodeModel(model));
  const t3 = performance.now();
  if (stats.params <= 0) throw new Error('no parameters counted');
  fs.rmSync(`${file}.ts-out.onnx`);
  return {
    side: 'stageprune (TypeScript): read+decode, stats, encode+write',
    wallMs: t3 - t0,
    parseMs: t1 - t0,
    middleMs: t2 - t1,
    serializeMs: t3 - t2,
    peakRssMiB: peakRssMiB(),
    baselineRssMiB,
  };
}

function main() {
  const { values } = parseArgs({
    options: { arch: { type: 'string' }, python: { type: 'string' }, measure: { type: 'string' } },
  });
  if (values.measure) {
    console.log(JSON.stringify(measure(values.measure)));
    return;
  }
  const arch = values.arch ?? 'yolov8x';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-bench-'));
  try {
    const file = path.join(dir, `${arch}.onnx`);
    fs.writeFileSync(file, encodeModel(buildYolo(specOfArch(arch))));
    const size = fs.statSync(file).size;
    const run = (cmd: string, args: string[]): Measurement => {
      const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
      return JSON.parse(r.stdout.trim().split('\n').pop()!) as Measurement;
    };
    const ts = run(process.execPath, ['--import', 'tsx', __filename, '--measure', file]);
    const py = run(values.python ?? venvPython(), [path.join(__dirname, 'onnx-io.py'), file]);
    const fmt = (m: Measurement) =>
      `| ${m.side} | ${m.wallMs.toFixed(0)} | ${m.parseMs.toFixed(0)} / ${m.middleMs.toFixed(0)} / ${m.serializeMs.toFixed(0)} | ${m.peakRssMiB.toFixed(0)} (${m.baselineRssMiB.toFixed(0)} at start) |`;
    console.log(
      `${arch} train-form, ${(size / 2 ** 20).toFixed(1)} MiB, ${os.cpus().length} CPUs, node ${process.version}`,
    );
    console.log('| side | wall ms | parse / stats / serialize ms | peak RSS MiB |');
    console.log('|---|---|---|---|');
    console.log(fmt(ts));
    console.log(fmt(py));
    console.log(
      `ratio TypeScript / Python: wall ${(ts.wallMs / py.wallMs).toFixed(2)}×, peak RSS ${(ts.peakRssMiB / py.peakRssMiB).toFixed(2)}×`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
