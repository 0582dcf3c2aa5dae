// The run report as Markdown: what a user opens first. Sections in the order a reader asks their questions:
// what ran, what it bought (before/after), where the cuts went (per part, per layer), why there (sensitivity),
// and how long each step took.

import { PRUNED_YOLO_ORDER } from '../planning/rank-sensitivity';
import { cell, formatDuration, formatFlops, groupThousands, percentChange } from './format';
import { describeMapChange } from './map-change';
import { costLabel, describeReportSplit, type RunReport, type ScalarMetric } from './run-report';
import { describeTrainedDevice } from './trained-device';
import { numberFormatMarkdown } from './number-format';

function describeTarget(t: RunReport['input']['target']): string {
  const parts = [
    t.flops_reduction !== undefined ? `FLOPs -${(t.flops_reduction * 100).toFixed(1)}%` : undefined,
    t.params_reduction !== undefined ? `params -${(t.params_reduction * 100).toFixed(1)}%` : undefined,
    t.latency_ms !== undefined ? `latency ≤ ${t.latency_ms} ms` : undefined,
  ].filter((p): p is string => p !== undefined);
  return parts.length > 0 ? parts.join(', ') : 'none (planner defaults)';
}

function reductions(r: { flops_reduction?: number; params_reduction?: number }): string {
  return [
    r.flops_reduction !== undefined ? `FLOPs -${(r.flops_reduction * 100).toFixed(1)}%` : undefined,
    r.params_reduction !== undefined ? `params -${(r.params_reduction * 100).toFixed(1)}%` : undefined,
  ]
    .filter((x): x is string => x !== undefined)
    .join(', ');
}

function describePlanned(p: NonNullable<RunReport['planned']>): string {
  let text = `Planned for ${reductions(p)}`;
  if (p.latency)
    text +=
      ` (latency budget ${p.latency.budget_ms} ms against the measured ${p.latency.baseline_ms.toFixed(2)} ms,` +
      ' latency taken as proportional to FLOPs)';
  if (p.scale !== undefined) text += `; the planner's ratios were scaled by ${p.scale.toFixed(3)}`;
  if (p.allocated_for)
    text +=
      `; the scan's additive model was asked for ${reductions(p.allocated_for)}` +
      ' so that the pruned model, measured exactly, meets the target';
  text += '.';
  if (p.latency?.met !== undefined) text += ` Latency budget met: ${p.latency.met ? 'yes' : 'no'}.`;
  return text;
}

const METRIC_ROWS: { label: string; key: ScalarMetric; format: (v: number) => string }[] = [
  { label: 'Params', key: 'params', format: groupThousands },
  { label: 'FLOPs', key: 'flops', format: formatFlops },
  { label: 'CPU latency (ms)', key: 'latency_ms', format: (v) => v.toFixed(2) },
  { label: 'mAP50-95', key: 'map50_95', format: (v) => v.toFixed(3) },
  { label: 'mAP50', key: 'map50', format: (v) => v.toFixed(3) },
];

function beforeAfter(r: RunReport): string[] {
  const label = (m: (typeof METRIC_ROWS)[number]) =>
    m.key === 'params' ? costLabel(r, 'Params') : m.key === 'flops' ? costLabel(r, 'FLOPs') : m.label;
  const rows = METRIC_ROWS.map(
    (m) =>
      `| ${label(m)} | ${m.format(r.before[m.key])} | ${m.format(r.after[m.key])} | ${percentChange(r.before[m.key], r.after[m.key])} |`,
  );
  const out = [
    '## Before and after',
    '',
    '| metric | before | after | change |',
    '|---|---:|---:|---:|',
    ...rows,
    '',
  ];
  if (r.map_change) out.push(describeMapChange(r.map_change), '');
  if (r.planned) out.push(describePlanned(r.planned), '');
  if (r.predicted) {
    out.push(
      `Planner prediction (per-unit effects assumed additive): mAP50-95 ${r.predicted.map50_95.toFixed(3)}, ` +
        `FLOPs ${formatFlops(r.predicted.flops)}, params ${groupThousands(r.predicted.params)}.`,
      '',
    );
  }
  return out;
}

function perPart(stages: NonNullable<RunReport['stages']>, form: RunReport['cost_form']): string[] {
  const rows = (['backbone', 'neck', 'head'] as const).map((s) => {
    const b = stages.before[s];
    const a = stages.after[s];
    return (
      `| ${s} | ${groupThousands(b.params)} | ${groupThousands(a.params)} | ${percentChange(b.params, a.params)} ` +
      `| ${formatFlops(b.flops)} | ${formatFlops(a.flops)} | ${percentChange(b.flops, a.flops)} |`
    );
  });
  return [
    '## Per stage',
    '',
    '| stage | params before | params after | change | FLOPs before | FLOPs after | change |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    ...(form === 'deploy' ? ['Both models counted in the deploy form (BN folded).', ''] : []),
  ];
}

function sensitivity(s: NonNullable<RunReport['sensitivity']>, plot: string | undefined): string[] {
  const ours = s.groups.map((g) => g.group).join(' > ');
  const measure =
    s.by === 'ratio'
      ? 'mean mAP50-95 drop per unit of pruning ratio'
      : 'mean mAP50-95 drop per GFLOP removed';
  const verdict = s.matches_pruned_yolo ? 'the same order' : 'a different order';
  const out = [
    '## Sensitivity',
    '',
    `Our ranking, most to least sensitive (${measure}): **${ours}**.`,
    `Pruned-YOLO reports ${PRUNED_YOLO_ORDER.join(' > ')} for YOLOv5; this run shows ${verdict}.`,
    `By stage: ${s.stage_order.join(' > ')}.`,
    '',
    '| group | units | mean mAP50-95 drop | sensitivity |',
    '|---|---|---:|---:|',
    ...s.groups.map(
      (g) =>
        `| ${cell(g.group)} | ${cell(g.units.join(', '))} | ${g.mean_drop.toFixed(4)} | ${g.sensitivity.toFixed(4)} |`,
    ),
    '',
  ];
  if (plot) out.push(`![Sensitivity curves](${plot})`, '');
  return out;
}

function steps(list: RunReport['steps']): string[] {
  const total = list.reduce((s, x) => s + x.wall_s, 0);
  return [
    '## Step wall times',
    '',
    '| step | wall time |',
    '|---|---:|',
    ...list.map((x) => `| ${cell(x.name)}${x.reused ? ' (reused)' : ''} | ${formatDuration(x.wall_s)} |`),
    `| **total** | **${formatDuration(total)}** |`,
    '',
  ];
}

export function renderReportMarkdown(report: RunReport): string {
  const r = report;
  const input = [
    ['model', `\`${r.input.model}\``],
    ...(r.input.dataset ? [['dataset', `\`${r.input.dataset}\``]] : []),
    ['planner', r.input.planner],
    ['criterion', r.input.criterion + (r.input.granularity ? ` (${r.input.granularity})` : '')],
    ['target', describeTarget(r.input.target)],
    ...(r.finetune_device ? [['fine-tuned on', describeTrainedDevice(r.finetune_device)]] : []),
    ...(r.splits ?? []).map((s) => [`${s.role} split`, describeReportSplit(s)]),
    ['applied plan', `\`${r.plan_key}\``],
  ];
  const lines = [
    `# stageprune run \`${r.run_id}\``,
    '',
    '| input | |',
    '|---|---|',
    ...input.map(([k, v]) => `| ${k} | ${cell(v!)} |`),
    '',
    ...beforeAfter(r),
    ...(r.number_format ? numberFormatMarkdown(r.number_format) : []),
    ...(r.stages ? perPart(r.stages, r.cost_form) : []),
    ...(r.plots.ratios
      ? ['## Kept channels per layer', '', `![Kept channel fraction per layer](${r.plots.ratios})`, '']
      : []),
    ...(r.sensitivity ? sensitivity(r.sensitivity, r.plots.sensitivity) : []),
    ...(!r.sensitivity && r.plots.sensitivity
      ? ['## Sensitivity', '', `![Sensitivity curves](${r.plots.sensitivity})`, '']
      : []),
    ...steps(r.steps),
  ];
  return lines.join('\n');
}
