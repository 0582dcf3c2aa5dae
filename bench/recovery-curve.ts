// The recovery curve of pruned configurations: mAP50-95 (and mAP50) on BCCD test against fine-tune epochs,
// from the rows bench/pareto.ts wrote for each config at one budget and seed at different --epochs (each run
// with its own --tag), drawn against the base model's line; one line per config (e.g. with labels and
// label-free). Prints a Markdown table per config; writes one SVG.
//   npx tsx bench/recovery-curve.ts --results tmp/recovery/results.jsonl,tmp/pareto/results.jsonl \
//       --config sensitivity,sensitivity-no-labels --budget 0.7 --seed 0 --base 0.6197 --out docs/recovery-curve.svg

import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { renderLineChartSvg, type LineSeries } from '../core/report/line-chart-svg';
import { readParetoRows, type ParetoRow as Row } from './support/pareto-rows';

const { values } = parseArgs({
  options: {
    results: { type: 'string', default: 'tmp/recovery/results.jsonl,tmp/pareto/results.jsonl' },
    config: { type: 'string', default: 'sensitivity' },
    budget: { type: 'string', default: '0.7' },
    seed: { type: 'string', default: '0' },
    base: { type: 'string', default: '0.6197' },
    out: { type: 'string', default: 'docs/recovery-curve.svg' },
  },
});

const rows = values.results!.split(',').flatMap(readParetoRows);
const base = Number(values.base);

/** One row per epoch count (the first found), in order. */
function curveOf(config: string): Row[] {
  const byEpochs = new Map<number, Row>();
  for (const r of rows)
    if (r.config === config && r.budget === Number(values.budget) && r.seed === Number(values.seed))
      if (!byEpochs.has(r.epochs)) byEpochs.set(r.epochs, r);
  const curve = [...byEpochs.values()].sort((a, b) => a.epochs - b.epochs);
  if (curve.length === 0)
    throw new Error(`no rows for config ${config}, budget ${values.budget}, seed ${values.seed}`);
  return curve;
}

const curves = values.config!.split(',').map((config) => ({ config, curve: curveOf(config) }));
const maxEpochs = Math.max(...curves.flatMap((c) => c.curve.map((r) => r.epochs)));
const series: LineSeries[] = curves.map(({ config, curve }) => ({
  name: config,
  // The pruned model's own score (epoch 0, in the table) would flatten the part worth seeing.
  points: curve.map((r) => ({ x: r.epochs, y: r.map50_95, title: r.map50_95.toFixed(4) })),
}));
series.push({
  name: 'base model',
  dashed: true,
  markers: false,
  points: [
    { x: 0, y: base },
    { x: maxEpochs, y: base },
  ],
});
fs.writeFileSync(
  values.out!,
  renderLineChartSvg(series, {
    title: `Recovery at −${Math.round(Number(values.budget) * 100)}% FLOPs (seed ${values.seed}): BCCD test mAP50-95 by fine-tune epochs`,
    xTitle: 'fine-tune epochs',
    yTitle: 'mAP50-95',
  }),
);

for (const { config, curve } of curves) {
  console.log(`\n${config}, seed ${values.seed}:\n`);
  console.log('| epochs | mAP50-95 | below base (points) | mAP50 | fine-tune s | run s |');
  console.log('|---|---|---|---|---|---|');
  const pruned = curve[0]!.prunedMap50_95;
  if (pruned !== undefined)
    console.log(`| 0 (pruned) | ${pruned.toFixed(4)} | ${(100 * (base - pruned)).toFixed(1)} | – | – | – |`);
  for (const r of curve)
    console.log(
      `| ${r.epochs} | ${r.map50_95.toFixed(4)} | ${(100 * (base - r.map50_95)).toFixed(1)} | ${r.map50.toFixed(4)} | ${
        r.finetuneSeconds?.toFixed(0) ?? '–'
      } | ${r.wallSeconds.toFixed(0)} |`,
    );
}
console.log(`\nwrote ${values.out}`);
