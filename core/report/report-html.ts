// The run report as one HTML page, from the same RunReport as the Markdown and JSON. Sections follow the
// decision a reader makes: did it meet the target and what did it cost (table, Pareto), where were the cuts
// (kept channels, per part), why there (sensitivity, search), did fine-tuning converge (loss), and what does
// the detector now miss (pictures). Charts are server-side SVG from svg.ts: no script runs in the page.

import { cell, formatDuration, formatFlops, groupThousands, percentChange } from './format';
import { esc, figure, note, page, plotGrid, section, table } from './html';
import { renderKeptChannelsSvg } from './kept-channels-svg';
import { describeMapChange } from './map-change';
import { renderLineChartSvg, type LineSeries } from './line-chart-svg';
import { renderParetoSvg } from './pareto-svg';
import { renderSensitivitySvg } from './sensitivity-svg';
import { DETECTION_TERMS, lossTerms } from './finetune-loss';
import {
  costLabel,
  describeReportSplit,
  type ModelMetrics,
  type RunReport,
  type ScalarMetric,
} from './run-report';
import { seriesColor, partColor } from './svg';
import { describeTrainedDevice } from './trained-device';
import { numberFormatHtml } from './number-format';

export interface ReportAssets {
  /** data: URIs of the pictures the report names (detection panels), by their relative file name. */
  images: Readonly<Record<string, string>>;
}

const pct = (r: number) => `${(r * 100).toFixed(1)}%`;

function targetItems(r: RunReport): { label: string; achieved: string; met: boolean | undefined }[] {
  const t = r.input.target;
  const items: { label: string; achieved: string; met: boolean | undefined }[] = [];
  const removed = (k: 'flops' | 'params') => (r.before[k] > 0 ? 1 - r.after[k] / r.before[k] : 0);
  if (t.flops_reduction !== undefined)
    items.push({
      label: `FLOPs −${pct(t.flops_reduction)}`,
      achieved: `−${pct(removed('flops'))}`,
      met: r.target_met?.flops,
    });
  if (t.params_reduction !== undefined)
    items.push({
      label: `params −${pct(t.params_reduction)}`,
      achieved: `−${pct(removed('params'))}`,
      met: r.target_met?.params,
    });
  if (t.latency_ms !== undefined)
    items.push({
      label: `latency ≤ ${t.latency_ms} ms`,
      achieved: `${r.after.latency_ms.toFixed(2)} ms`,
      met: r.target_met?.latency ?? r.planned?.latency?.met,
    });
  return items;
}

function verdict(r: RunReport): string {
  const items = targetItems(r);
  if (items.length === 0)
    return '<span class="chip none" data-verdict="none">no target: the planner\'s ratios as given</span>';
  const known = items.filter((i) => i.met !== undefined);
  const all = known.length === items.length && known.every((i) => i.met);
  const cls = known.length < items.length ? 'none' : all ? 'met' : 'unmet';
  const text = cls === 'none' ? 'target not checked' : all ? 'target met' : 'target missed';
  return `<span class="chip ${cls}" data-verdict="${cls}">${text}</span>`;
}

const ROWS: { label: string; key: ScalarMetric; format: (v: number) => string; higherIsBetter: boolean }[] = [
  { label: 'Params', key: 'params', format: groupThousands, higherIsBetter: false },
  { label: 'FLOPs', key: 'flops', format: formatFlops, higherIsBetter: false },
  { label: 'Latency, ms (median)', key: 'latency_ms', format: (v) => v.toFixed(2), higherIsBetter: false },
  { label: 'mAP50-95', key: 'map50_95', format: (v) => v.toFixed(3), higherIsBetter: true },
  { label: 'mAP50', key: 'map50', format: (v) => v.toFixed(3), higherIsBetter: true },
];

function latencyCell(m: ModelMetrics): string {
  const l = m.latency;
  if (!l) return `${m.latency_ms.toFixed(2)}<span class="spread">spread not recorded</span>`;
  return (
    `${m.latency_ms.toFixed(2)}<span class="spread">p90 ${l.p90_ms.toFixed(2)} · min ${l.min_ms.toFixed(2)}` +
    ` · max ${l.max_ms.toFixed(2)} · ${l.runs} runs</span>`
  );
}

function change(before: number, after: number, higherIsBetter: boolean): string {
  const text = percentChange(before, after);
  if (before === after || text === 'n/a' || text === '0.0%') return text;
  const better = after > before === higherIsBetter;
  return `<span class="${better ? 'better' : 'worse'}">${text}</span>`;
}

function metricsSection(r: RunReport): string {
  const models: [string, ModelMetrics][] = [
    ['original', r.before],
    ...(r.pruned ? [['pruned', r.pruned] as [string, ModelMetrics]] : []),
    ['compressed', r.after],
  ];
  const rows = ROWS.map((row) => [
    row.key === 'params' ? costLabel(r, 'Params') : row.key === 'flops' ? costLabel(r, 'FLOPs') : row.label,
    ...models.map(([, m]) => (row.key === 'latency_ms' ? latencyCell(m) : row.format(m[row.key]))),
    change(r.before[row.key], r.after[row.key], row.higherIsBetter),
  ]);
  const body = [
    table(['', ...models.map(([n]) => n), 'change'], rows, {
      className: 'metrics',
      numeric: models.map((_, i) => i + 1).concat(models.length + 1),
    }),
  ];
  const items = targetItems(r);
  if (items.length > 0) {
    body.push(
      table(
        ['target', 'compressed model', 'met'],
        items.map((i) => [
          esc(i.label),
          esc(i.achieved),
          i.met === undefined
            ? 'not checked'
            : i.met
              ? '<b class="better">yes</b>'
              : '<b class="worse">no</b>',
        ]),
        { className: 'targets' },
      ),
    );
  }
  if (r.map_change) body.push(note(esc(describeMapChange(r.map_change)), 'map-change'));
  if (r.planned?.scale !== undefined)
    body.push(note(`The planner's ratios were scaled by ${r.planned.scale.toFixed(3)} to meet the target.`));
  if (r.predicted)
    body.push(
      note(
        `Planner prediction (per-unit effects taken as additive): mAP50-95 ${r.predicted.map50_95.toFixed(3)}, ` +
          `FLOPs ${esc(formatFlops(r.predicted.flops))}.`,
      ),
    );
  body.push(
    note(
      'Latency: median of the timed runs of one process at batch 1 on the evaluation provider, after warm-up; ' +
        'the spread is of those runs only (no repeat across processes or machines).',
    ),
  );
  const classes = perClassRows(models);
  if (classes.length > 0) {
    body.push('<h3>AP per class (evaluation split)</h3>');
    body.push(
      table(['class', ...models.flatMap(([n]) => [`${n} AP50-95`, `${n} AP50`])], classes, {
        className: 'per-class',
        numeric: models.flatMap((_, i) => [2 * i + 1, 2 * i + 2]),
      }),
    );
  }
  return section('metrics', 'Original, pruned and compressed', body);
}

function perClassRows(models: [string, ModelMetrics][]): string[][] {
  const names = [...new Set(models.flatMap(([, m]) => (m.per_class ?? []).map((c) => c.name)))];
  const ap = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toFixed(3));
  return names.map((name) => [
    esc(name),
    ...models.flatMap(([, m]) => {
      const c = m.per_class?.find((x) => x.name === name);
      return [ap(c?.ap50_95), ap(c?.ap50)];
    }),
  ]);
}

function paretoSection(r: RunReport): string {
  const points = r.pareto ?? [];
  const body: string[] = [];
  if (points.length === 0) return section('pareto', 'Every evaluated model', [note('No models recorded.')]);
  const figures: string[] = [];
  figures.push(
    figure(
      'pareto-flops',
      renderParetoSvg(points, 'flops'),
      'Cost against accuracy of every model the run evaluated; the delivered model is ringed. Scan and search ' +
        'candidates are scored on the calibration subset, the others on the evaluation split.',
    ),
  );
  if (points.filter((p) => p.latency_ms !== undefined && p.latency_ms > 0).length >= 2)
    figures.push(
      figure(
        'pareto-latency',
        renderParetoSvg(
          points.filter((p) => p.latency_ms !== undefined && p.latency_ms > 0),
          'latency',
        ),
        'The same against measured latency (only models whose latency was measured).',
      ),
    );
  body.push(plotGrid(figures));
  return section('pareto', 'Every evaluated model', body);
}

function channelsSection(r: RunReport): string {
  const body: string[] = [];
  if (r.layers && r.layers.length > 0) {
    body.push(
      figure(
        'kept-channels',
        renderKeptChannelsSvg(r.layers, r.stage_bounds),
        'Output channels each layer kept, grouped by stage. Dashed: the staged plan (fraction kept per part)' +
          '; dotted: the review bound, the deepest cut the sensitivity planner may make in that stage.',
      ),
    );
  } else body.push(note('No per-layer widths recorded.'));
  if (r.stages) {
    const rows = (['backbone', 'neck', 'head'] as const).map((s) => {
      const b = r.stages!.before[s];
      const a = r.stages!.after[s];
      return [
        `<span class="swatch" style="background:${partColor(s)}"></span>${s}`,
        groupThousands(b.params),
        groupThousands(a.params),
        percentChange(b.params, a.params),
        esc(formatFlops(b.flops)),
        esc(formatFlops(a.flops)),
        percentChange(b.flops, a.flops),
      ];
    });
    body.push(
      table(
        ['stage', 'params before', 'params after', 'change', 'FLOPs before', 'FLOPs after', 'change'],
        rows,
        { className: 'stages', numeric: [1, 2, 3, 4, 5, 6] },
      ),
    );
    if (r.cost_form === 'deploy') body.push(note('Both models counted in the deploy form (BN folded).'));
  }
  return section('kept-channels', 'Where the cuts went', body);
}

function sensitivitySection(r: RunReport): string {
  const s = r.sensitivity;
  if (!s)
    return section('sensitivity', 'Sensitivity', [
      note(`No sensitivity scan: the ${esc(r.input.planner)} planner does not scan.`),
    ]);
  const body: string[] = [];
  if (s.curves && s.baseline)
    body.push(
      figure(
        'sensitivity',
        renderSensitivitySvg(s.curves, s.baseline),
        'mAP50-95 on the calibration subset with one unit pruned alone at each ratio; one line per unit.',
      ),
    );
  const measure = s.by === 'ratio' ? 'mean mAP50-95 drop per unit of ratio' : 'mean mAP50-95 drop per GFLOP';
  body.push(
    note(
      `Ranking, most to least sensitive (${measure}); by stage: <b>${s.stage_order.join(' &gt; ')}</b>. ` +
        `Pruned-YOLO's order for YOLOv5 is ${s.matches_pruned_yolo ? 'the same' : 'different'}.`,
    ),
  );
  const max = Math.max(1e-12, ...s.groups.map((g) => Math.abs(g.sensitivity)));
  body.push(
    table(
      ['group', 'units', 'mean mAP50-95 drop', 'sensitivity'],
      s.groups.map((g) => [
        esc(g.group),
        esc(g.units.join(', ')),
        g.mean_drop.toFixed(4),
        `<span class="barcell" style="width:${Math.round((Math.abs(g.sensitivity) / max) * 120)}px"></span>${g.sensitivity.toFixed(4)}`,
      ]),
      { className: 'ranking', numeric: [2] },
    ),
  );
  return section('sensitivity', 'Sensitivity', body);
}

function searchSection(r: RunReport): string {
  const list = r.search ?? [];
  if (list.length === 0)
    return section('search', 'Search trajectory', [
      note(
        `No search trajectory: the ${esc(r.input.planner)} planner does not search (NetAdapt, AMC, random).`,
      ),
    ]);
  const body: string[] = [];
  const figures: string[] = [];
  list.forEach((t, i) => {
    const metrics: { key: 'reward' | 'map50_95' | 'latency_ms' | 'flops'; name: string; scale: number }[] = [
      { key: 'reward', name: 'reward', scale: 1 },
      { key: 'map50_95', name: 'mAP50-95', scale: 1 },
      { key: 'latency_ms', name: 'latency, ms', scale: 1 },
      { key: 'flops', name: 'GFLOPs', scale: 1e-9 },
    ];
    const present = metrics.filter((m) => t.points.some((p) => p[m.key] !== undefined));
    const accepted = t.points.filter((p) => p.accepted).length;
    const x =
      t.kind === 'netadapt'
        ? 'iteration'
        : t.kind === 'amc'
          ? 'episode'
          : t.kind === 'mixed'
            ? 'candidate'
            : 'sample';
    for (const m of present.slice(0, 2)) {
      const series: LineSeries = {
        name: m.name,
        color: seriesColor(metrics.indexOf(m)),
        points: t.points
          .filter((p) => p[m.key] !== undefined)
          .map((p) => ({
            x: p.step,
            y: p[m.key]! * m.scale,
            hollow: p.accepted === false,
            title: `${x} ${p.step}: ${m.name} ${(p[m.key]! * m.scale).toFixed(4)}${p.label ? ` (${p.label})` : ''}`,
          })),
      };
      figures.push(
        figure(
          `search-${i}-${m.key}`,
          renderLineChartSvg([series], { title: `${t.kind}: ${m.name} per ${x}`, xTitle: x, yTitle: m.name }),
          `${esc(t.kind)}: ${t.points.length} ${x}s, ${accepted} accepted (filled; open = rejected).`,
        ),
      );
    }
    if (present.length === 0) body.push(note(`${esc(t.kind)}: ${t.points.length} points without metrics.`));
  });
  body.push(plotGrid(figures));
  return section('search', 'Search trajectory', body);
}

function finetuneSection(r: RunReport): string {
  const loss = r.finetune_loss;
  if (!loss || loss.points.length === 0)
    return section('finetune', 'Fine-tuning', [
      note(
        loss
          ? 'The trainer logged no progress line (fewer steps than its log interval).'
          : 'No fine-tune loss recorded for this run (no fine-tuning, or a run from before the series was kept).',
      ),
    ]);
  const terms = lossTerms(loss);
  const seriesOf = (names: string[], offset: number): LineSeries[] =>
    names.map((n, i) => ({
      name: n,
      color: seriesColor(offset + i),
      dashed: n === 'total',
      points: loss.points.flatMap((p) => {
        const v = p.loss[n];
        return v === null || v === undefined
          ? []
          : [{ x: p.step, y: v, title: `step ${p.step}: ${n} ${v.toFixed(4)}` }];
      }),
    }));
  const detection = terms.filter((t) => (DETECTION_TERMS as readonly string[]).includes(t));
  const other = terms.filter((t) => !(DETECTION_TERMS as readonly string[]).includes(t));
  const body: string[] = [];
  const figures: string[] = [];
  if (detection.length > 0)
    figures.push(
      figure(
        'loss-detection',
        renderLineChartSvg(seriesOf(detection, 0), {
          title: 'Detection loss terms',
          xTitle: 'step',
          yTitle: 'loss',
          yFromZero: true,
        }),
        'Box (CIoU), classification (BCE) and distribution-focal terms, means between progress lines.',
      ),
    );
  if (other.length > 0)
    figures.push(
      figure(
        'loss-distillation',
        renderLineChartSvg(seriesOf(other, detection.length), {
          title: 'Distillation and total loss',
          xTitle: 'step',
          yTitle: 'loss',
          yFromZero: true,
        }),
        'Channel-wise distillation (CWD) from the original model, and the total the optimiser minimised (dashed).',
      ),
    );
  body.push(plotGrid(figures));
  if (loss.resumed_from_step > 0)
    body.push(note(`The attempt that finished resumed at step ${loss.resumed_from_step} from a checkpoint.`));
  return section('finetune', 'Fine-tuning', body);
}

function detectionsSection(r: RunReport, assets: ReportAssets): string {
  const d = r.detections;
  if (!d || d.images.length === 0)
    return section('detections', 'What the detector sees', [note('No test images were drawn for this run.')]);
  const legend = d.class_names
    .map((n, i) => `<span class="swatch" style="background:${seriesColor(i)}"></span>${esc(n)}`)
    .join('');
  const counts = (c: { detections: number; matched: number; false_positives: number }) =>
    `${c.matched} matched, ${c.false_positives} false positive${c.false_positives === 1 ? '' : 's'}`;
  const body = [
    note(
      `The ${d.images.length} of ${d.images_compared} images of the <code>${esc(d.split)}</code> split where the ` +
        `original and the compressed model differ most in matched detections (score ≥ ${d.min_score}, ` +
        `IoU ≥ ${d.iou} with a ground-truth box of the same class). Classes: ${legend}`,
    ),
    '<div class="examples">',
  ];
  for (const im of d.images) {
    body.push(
      `<div class="rowhead">${esc(im.file)}: ${im.ground_truth} ground-truth boxes; original ${counts(im.original)}; ` +
        `compressed ${counts(im.compressed)}</div>`,
    );
    const panel = (file: string, caption: string) => {
      const src = assets.images[file];
      return src
        ? `<figure data-panel="${esc(file)}"><img src="${esc(src)}" alt="${esc(caption)}"><figcaption>${esc(caption)}</figcaption></figure>`
        : `<figure data-panel="${esc(file)}"><figcaption>${esc(caption)}: picture missing</figcaption></figure>`;
    };
    body.push(panel(im.panels.ground_truth, 'ground truth'));
    body.push(panel(im.panels.original, `original: ${im.original.detections} detections`));
    body.push(panel(im.panels.compressed, `compressed: ${im.compressed.detections} detections`));
  }
  body.push('</div>');
  return section('detections', 'What the detector sees', body);
}

function stepsSection(r: RunReport): string {
  const total = r.steps.reduce((s, x) => s + x.wall_s, 0);
  return section('steps', 'Step wall times', [
    table(
      ['step', 'wall time'],
      [
        ...r.steps.map((x) => [esc(x.name) + (x.reused ? ' (reused)' : ''), esc(formatDuration(x.wall_s))]),
        ['<b>total</b>', `<b>${esc(formatDuration(total))}</b>`],
      ],
      { numeric: [1] },
    ),
  ]);
}

export function renderReportHtml(report: RunReport, assets: ReportAssets = { images: {} }): string {
  const r = report;
  const target = targetItems(r)
    .map((i) => i.label)
    .join(', ');
  const inputs: [string, string][] = [
    ['model', `<code>${esc(r.input.model)}</code>`],
    ...(r.input.dataset ? [['dataset', `<code>${esc(r.input.dataset)}</code>`] as [string, string]] : []),
    ['planner', esc(r.input.planner)],
    ['criterion', esc(r.input.criterion + (r.input.granularity ? ` (${r.input.granularity})` : ''))],
    ['target', target ? esc(target) : 'none (the planner’s ratios as given)'],
    ...(r.finetune_device
      ? [['fine-tuned on', esc(describeTrainedDevice(r.finetune_device))] as [string, string]]
      : []),
    ...(r.splits ?? []).map((s): [string, string] => [`${s.role} split`, esc(describeReportSplit(s))]),
    ['applied plan', `<code>${esc(cell(r.plan_key))}</code>`],
  ];
  const body = [
    '<header>',
    `<h1>stageprune run <code>${esc(r.run_id)}</code></h1>`,
    `<p class="sub">${esc(r.input.model)}: FLOPs ${esc(percentChange(r.before.flops, r.after.flops))}, ` +
      `params ${esc(percentChange(r.before.params, r.after.params))}` +
      `${r.cost_form === 'deploy' ? ' (deploy form, BN folded, on both sides)' : ''}, mAP50-95 ` +
      `${r.before.map50_95.toFixed(3)} → ${r.after.map50_95.toFixed(3)}</p>`,
    verdict(r),
    '</header>',
    section('inputs', 'Run', [table(['input', ''], inputs, { className: 'inputs' })]),
    metricsSection(r),
    ...(r.number_format ? [numberFormatHtml(r.number_format)] : []),
    paretoSection(r),
    channelsSection(r),
    sensitivitySection(r),
    searchSection(r),
    finetuneSection(r),
    detectionsSection(r, assets),
    stepsSection(r),
  ];
  if (r.missing && r.missing.length > 0)
    body.push(
      section('missing', 'Not in this report', [
        `<ul class="missing">${r.missing.map((m) => `<li>${esc(m)}</li>`).join('')}</ul>`,
      ]),
    );
  body.push(
    `<footer>report.json holds every number on this page; report.md is the same in Markdown. Plan: <code>${esc(r.plan_key)}</code></footer>`,
  );
  return page(`stageprune run ${r.run_id}`, body);
}
