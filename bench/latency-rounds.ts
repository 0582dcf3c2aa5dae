// Latency of several models on one machine, fairly: R rounds, each timing every model once (warm-up, then the
// median of `runs`) in a shuffled order, so drift in the machine's load spreads over all models alike. Prints
// per model the median of its round medians and their range.
//
//   npx tsx bench/latency-rounds.ts --model base=models/yolov8n-bccd.onnx --model pruned=p.onnx
//       [--rounds 5] [--runs 20] [--warmup 5] [--threads 1] [--imgsz 416]

import { parseArgs } from 'node:util';
import { createRandom } from '../core/yolo';
import { summarizeSamples } from '../runtime/latency';
import { measureModelLatency } from '../runtime/latency/measure-table';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', multiple: true, default: [] },
      rounds: { type: 'string', default: '5' },
      runs: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '5' },
      threads: { type: 'string', default: '1' },
      imgsz: { type: 'string', default: '416' },
      seed: { type: 'string', default: '0' },
    },
  });
  const models = values.model!.map((m) => {
    const i = m.indexOf('=');
    if (i < 1) throw new Error(`--model NAME=FILE, got '${m}'`);
    return { name: m.slice(0, i), file: m.slice(i + 1) };
  });
  const settings = {
    provider: 'cpu' as const,
    threads: Number(values.threads),
    batch: 1,
    imgsz: Number(values.imgsz),
    runs: Number(values.runs),
    warmup: Number(values.warmup),
  };
  const random = createRandom(Number(values.seed));
  const perModel = new Map<string, number[]>(models.map((m) => [m.name, []]));
  for (let r = 0; r < Number(values.rounds); r++) {
    const order = [...models].sort(() => random() - 0.5);
    for (const m of order) {
      const result = await measureModelLatency(m.file, settings);
      perModel.get(m.name)!.push(result.medianMs);
    }
    console.error(`round ${r + 1} done`);
  }
  const out: Record<string, { medianMs: number; minMs: number; maxMs: number; rounds: number[] }> = {};
  for (const [name, rounds] of perModel) {
    const s = summarizeSamples(rounds);
    out[name] = { medianMs: s.median, minMs: s.min, maxMs: Math.max(...rounds), rounds };
  }
  console.log(JSON.stringify({ settings, rounds: Number(values.rounds), models: out }, null, 2));
}

void main();
