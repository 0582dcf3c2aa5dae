import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSensitivityCurves, rankParts } from '../../../core/planning';
import {
  describeMapChange,
  percentChange,
  renderReportHtml,
  renderReportMarkdown,
  RunReportSchema,
  type RunReportInput,
  sensitivityForReport,
} from '../../../core/report';
import { baseline, prunedYoloLike } from '../planning/fixtures-synthetic';

const input: RunReportInput = {
  run_id: 'compress-bccd-42',
  input: {
    model: 's3://models/yolov8n-bccd.onnx',
    dataset: 's3://data/bccd/',
    planner: 'sensitivity',
    criterion: 'l1',
    granularity: 'group',
    target: { flops_reduction: 0.5 },
  },
  steps: [
    { name: 'scanSensitivity', wall_s: 312.4 },
    { name: 'planPruning', wall_s: 0.8 },
    { name: 'finetune', wall_s: 3725, reused: true },
  ],
  before: { params: 3_011_433, flops: 8_194_000_000, latency_ms: 41.25, map50_95: 0.6123, map50: 0.9011 },
  after: { params: 1_505_716, flops: 4_097_000_000, latency_ms: 24.5, map50_95: 0.598, map50: 0.8934 },
  stages: {
    before: {
      backbone: { params: 1_272_656, flops: 4_000_000_000 },
      neck: { params: 986_880, flops: 2_000_000_000 },
      head: { params: 751_897, flops: 2_194_000_000 },
    },
    after: {
      backbone: { params: 636_328, flops: 1_600_000_000 },
      neck: { params: 493_440, flops: 1_000_000_000 },
      head: { params: 375_948, flops: 1_497_000_000 },
    },
  },
  predicted: { map50_95: 0.59, flops: 4_090_000_000, params: 1_500_000 },
  sensitivity: sensitivityForReport(rankParts(baseline, buildSensitivityCurves(baseline, prunedYoloLike))),
  plots: { sensitivity: 'sensitivity.svg', ratios: 'ratios.svg' },
  plan_key: 'plans/3f2a9c.json',
};

test('report schema: parses the JSON form, fills the version, refuses plot paths out of the run folder', () => {
  const report = RunReportSchema.parse(input);
  assert.equal(report.version, 1);
  assert.deepEqual(RunReportSchema.parse(JSON.parse(JSON.stringify(report))), report);
  for (const bad of ['../x.svg', '/tmp/x.svg', 'https://x/y.svg']) {
    assert.equal(RunReportSchema.safeParse({ ...input, plots: { ratios: bad } }).success, false, bad);
  }
  assert.equal(RunReportSchema.safeParse({ ...input, plan_key: '' }).success, false);
});

test('markdown: before/after rows with values and signed % changes', () => {
  const md = renderReportMarkdown(RunReportSchema.parse(input));
  const lines = md.split('\n');
  const row = (label: string) => lines.find((l) => l.startsWith(`| ${label} |`));
  assert.equal(row('Params'), '| Params | 3,011,433 | 1,505,716 | -50.0% |');
  assert.equal(row('FLOPs'), '| FLOPs | 8.19 G | 4.10 G | -50.0% |');
  assert.equal(row('CPU latency (ms)'), '| CPU latency (ms) | 41.25 | 24.50 | -40.6% |');
  assert.equal(row('mAP50-95'), '| mAP50-95 | 0.612 | 0.598 | -2.3% |');
  assert.equal(row('mAP50'), '| mAP50 | 0.901 | 0.893 | -0.9% |');
  assert.equal(row('backbone'), '| backbone | 1,272,656 | 636,328 | -50.0% | 4.00 G | 1.60 G | -60.0% |');
  assert.equal(row('head'), '| head | 751,897 | 375,948 | -50.0% | 2.19 G | 1.50 G | -31.8% |');
});

test('markdown: a report counted in the deploy form says so beside params, FLOPs and the stage table', () => {
  const md = renderReportMarkdown(RunReportSchema.parse({ ...input, cost_form: 'deploy' }));
  const lines = md.split('\n');
  const row = (label: string) => lines.find((l) => l.startsWith(`| ${label} |`));
  assert.equal(row('Params (deploy form)'), '| Params (deploy form) | 3,011,433 | 1,505,716 | -50.0% |');
  assert.equal(
    row('FLOPs (deploy form, BN folded)'),
    '| FLOPs (deploy form, BN folded) | 8.19 G | 4.10 G | -50.0% |',
  );
  assert.match(md, /\| head \|.*\n\nBoth models counted in the deploy form \(BN folded\)\./);
  assert.equal(RunReportSchema.safeParse({ ...input, cost_form: 'train' }).success, false);
  // A report written before the form was recorded keeps its plain labels: its rows may mix forms.
  assert.doesNotMatch(renderReportMarkdown(RunReportSchema.parse(input)), /deploy form/);
});

test('markdown: input summary, plan key, plot links, sensitivity ranking and step times', () => {
  const md = renderReportMarkdown(RunReportSchema.parse(input));
  assert.match(md, /^# stageprune run `compress-bccd-42`/);
  assert.match(md, /\| planner \| sensitivity \|/);
  assert.match(md, /\| criterion \| l1 \(group\) \|/);
  assert.match(md, /\| target \| FLOPs -50\.0% \|/);
  assert.match(md, /\| applied plan \| `plans\/3f2a9c\.json` \|/);
  assert.match(md, /!\[Sensitivity curves\]\(sensitivity\.svg\)/);
  assert.match(md, /!\[Kept channel fraction per layer\]\(ratios\.svg\)/);
  assert.match(
    md,
    /Our ranking, most to least sensitive \([^)]*\): \*\*head > shallow backbone > neck > deep backbone\*\*/,
  );
  assert.match(md, /this run shows the same order/);
  assert.match(md, /By stage: head > backbone > neck/);
  assert.match(md, /\| head \| model\.22 \| 0\.1500 \| 0\.4000 \|/);
  assert.match(md, /\| scanSensitivity \| 5 min 12 s \|/);
  assert.match(md, /\| finetune \(reused\) \| 1 h 02 min \|/);
  assert.match(md, /\| \*\*total\*\* \| \*\*1 h 07 min\*\* \|/);
  assert.match(md, /Planner prediction .*mAP50-95 0\.590/);
});

test('markdown: optional sections are left out; percent change edge cases', () => {
  const { stages: _s, sensitivity: _x, predicted: _p, ...bare } = input;
  const md = renderReportMarkdown(RunReportSchema.parse({ ...bare, plots: {} }));
  assert.doesNotMatch(md, /## Per stage|## Sensitivity|!\[|Planner prediction|paired resamples/);
  assert.equal(percentChange(0, 5), 'n/a');
  assert.equal(percentChange(10, 10.001), '0.0%');
  assert.equal(percentChange(10, 11), '+10.0%');
});

test('the mAP change: its interval printed in points under the before/after table, and what it means', () => {
  const change = {
    metric: 'map50_95' as const,
    images: 72,
    observed: -0.0143,
    low: -0.0298,
    high: 0.0004,
    level: 0.95,
    resamples: 1000,
    seed: 0,
    sd_original: 0.0124,
    sd_compressed: 0.0131,
  };
  const md = renderReportMarkdown(RunReportSchema.parse({ ...input, map_change: change }));
  const line =
    'mAP50-95 change on the 72 evaluation images: −1.43 points; 95% interval −2.98 to +0.04 over 1,000 ' +
    "paired resamples of those images (one model's score alone moves by ±1.24 points across them). " +
    'The interval holds 0: these images cannot tell the two models apart.';
  assert.ok(md.includes(line), md);
  assert.ok(md.indexOf(line) > md.indexOf('| mAP50 |'), 'under the table');
  const excluded = describeMapChange({ ...change, high: -0.002 });
  assert.match(excluded, /excludes 0: the compressed model is less accurate on images like these/);
  const html = renderReportHtml(RunReportSchema.parse({ ...input, map_change: change }));
  assert.match(
    html,
    /<p class="note" id="map-change">mAP50-95 change on the 72 evaluation images: −1\.43 points/,
  );
  assert.equal(RunReportSchema.safeParse({ ...input, map_change: { ...change, level: 1 } }).success, false);
});
