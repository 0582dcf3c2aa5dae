import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import {
  paretoFrontier,
  renderKeptChannelsSvg,
  renderLineChartSvg,
  renderParetoSvg,
  RunReportSchema,
  PART_COLORS,
  type ParetoPoint,
} from '../../../core/report';
import { fullReportInput } from './full-report-fixture';

const count = (s: string, re: RegExp) => s.match(re)?.length ?? 0;
const valid = (svg: string) => assert.equal(XMLValidator.validate(svg), true);

const pt = (
  label: string,
  source: ParetoPoint['source'],
  flops: number,
  map: number,
  chosen = false,
): ParetoPoint => ({
  label,
  source,
  flops,
  map50_95: map,
  split: source === 'scan' ? 'val' : 'test',
  chosen,
});

test('Pareto frontier: each point more accurate than every cheaper one, cheapest first', () => {
  const points = [
    pt('a', 'baseline', 10, 0.6),
    pt('b', 'pruned', 5, 0.4),
    pt('c', 'final', 6, 0.55),
    pt('d', 'search', 8, 0.5),
  ];
  assert.deepEqual(
    paretoFrontier(points, 'flops').map((p) => p.label),
    ['b', 'c', 'a'],
  );
  // Latency unknown: nothing to order.
  assert.deepEqual(paretoFrontier(points, 'latency'), []);
});

test('Pareto SVG: the chosen model is ringed where its marker is; the frontier skips other splits', () => {
  const points = [
    pt('original', 'baseline', 8e9, 0.6),
    pt('pruned', 'pruned', 4e9, 0.4),
    pt('delivered', 'final', 4e9, 0.58, true),
    pt('scan', 'scan', 2e9, 0.9),
  ];
  const svg = renderParetoSvg(points, 'flops');
  valid(svg);
  const ring = /<circle class="chosen" cx="([\d.]+)" cy="([\d.]+)"/.exec(svg)!;
  const final = /<circle class="pareto-point" data-source="final"[^>]* cx="([\d.]+)" cy="([\d.]+)"/.exec(
    svg,
  )!;
  assert.deepEqual([ring[1], ring[2]], [final[1], final[2]]);
  assert.match(svg, />GFLOPs</);
  // The scan candidate (0.9 on the calibration split) would dominate everything if it were on the frontier.
  const frontier = /<path class="frontier" d="([^"]+)"/.exec(svg)![1]!;
  assert.equal(frontier.split('M').length - 1, 1);
  assert.equal(frontier.split('L').length - 1, 2, 'one step: delivered → original');
  assert.equal(count(svg, /data-source="scan"/g), 1);
});

test('kept channels: bars grouped by stage, bound lines at 1 − ratio over their own stage', () => {
  const r = RunReportSchema.parse(fullReportInput);
  const svg = renderKeptChannelsSvg(r.layers!, r.stage_bounds);
  valid(svg);
  assert.deepEqual(
    [...svg.matchAll(/<g class="stage-group" data-stage="(\w+)">/g)].map((m) => m[1]),
    ['backbone', 'neck', 'head'],
  );
  assert.equal(count(svg, /<rect class="bar"/g), 4);
  // y axis: 0 → 300 px, 1 → 56 px (height 440, bottom 140, top 56).
  const y = (kept: number) => 300 - kept * 244;
  const line = (cls: string, stage: string) =>
    Number(
      new RegExp(`<line class="${cls}" data-stage="${stage}" x1="[\\d.]+" y1="([\\d.]+)"`).exec(svg)![1],
    );
  assert.ok(Math.abs(line('bound-staged', 'backbone') - y(0.7)) < 0.01);
  assert.ok(Math.abs(line('bound-staged', 'head') - y(0.9)) < 0.01);
  assert.ok(Math.abs(line('bound-review', 'neck') - y(0.7)) < 0.01);
  assert.ok(Math.abs(line('bound-review', 'head') - y(0.85)) < 0.01);
  const bar = /data-layer="\/model.2\/cv1\/conv\/Conv"[^>]* y="([\d.]+)"[^>]* fill="([^"]+)"/.exec(svg)!;
  assert.ok(Math.abs(Number(bar[1]) - y(0.75)) < 0.01);
  assert.equal(bar[2], PART_COLORS.backbone);
  // Without bounds, no lines; without layers, still a valid document.
  assert.equal(count(renderKeptChannelsSvg(r.layers!), /<line class="bound/g), 0);
  valid(renderKeptChannelsSvg([]));
});

test('line chart: one path per series, markers open for rejected points, non-finite values dropped', () => {
  const svg = renderLineChartSvg(
    [
      {
        name: 'a',
        points: [
          { x: 0, y: 1 },
          { x: 1, y: Number.NaN },
          { x: 2, y: 3, hollow: true },
        ],
      },
      {
        name: 'b<&>',
        dashed: true,
        points: [
          { x: 0, y: 2 },
          { x: 2, y: 2 },
        ],
      },
    ],
    { title: 't', xTitle: 'step', yTitle: 'loss', yFromZero: true },
  );
  valid(svg);
  assert.equal(count(svg, /<path class="series"/g), 2);
  assert.match(svg, /data-series="b&lt;&amp;&gt;"[^>]*stroke-dasharray/);
  assert.equal(count(svg, /class="point hollow"/g), 1);
  assert.equal(count(svg, /<circle class="point/g), 4);
  assert.match(svg, />0</, 'the y axis starts at 0');
  valid(renderLineChartSvg([], { title: 'empty', xTitle: 'x', yTitle: 'y' }));
});
