import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { CONTENT_SECURITY_POLICY } from '../../../core/report/html';
import { renderReportHtml, RunReportSchema, type RunReportInput } from '../../../core/report';
import { fullReport, fullReportInput, panelImages, PANEL_URI } from './full-report-fixture';

const count = (s: string, re: RegExp) => s.match(re)?.length ?? 0;
/** Each inline plot: its data-plot name and its SVG text. */
const plots = (html: string) =>
  [...html.matchAll(/<figure class="plot" data-plot="([^"]+)">\n(<svg[\s\S]*?<\/svg>)/g)].map((m) => ({
    name: m[1]!,
    svg: m[2]!,
  }));
const sectionOf = (html: string, id: string) => {
  const m = new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(html);
  assert.ok(m, `section ${id} is missing`);
  return m[1]!;
};

test('HTML report: one self-contained page that can fetch nothing', () => {
  const html = renderReportHtml(fullReport(), { images: panelImages() });
  assert.match(html, /^<!doctype html>/);
  assert.ok(
    html.includes(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`),
  );
  assert.match(CONTENT_SECURITY_POLICY, /default-src 'none'/);
  assert.doesNotMatch(html, /<script|<link|<iframe|@import|url\(/i);
  // The only absolute URLs are SVG's namespace names, which are never fetched.
  const urls = [...html.matchAll(/https?:\/\/[^\s"'<)]*/g)].map((m) => m[0]);
  assert.deepEqual([...new Set(urls)], ['http://www.w3.org/2000/svg']);
  assert.doesNotMatch(html, /(src|href)="(?!data:)/);
  // Pictures are data: URIs only.
  const srcs = [...html.matchAll(/<img src="([^"]*)"/g)].map((m) => m[1]);
  assert.equal(srcs.length, 3);
  for (const s of srcs) assert.equal(s, PANEL_URI);
});

test('HTML report: every section of a full run, each plot a well-formed SVG with marks', () => {
  const html = renderReportHtml(fullReport(), { images: panelImages() });
  for (const id of [
    'inputs',
    'metrics',
    'pareto',
    'kept-channels',
    'sensitivity',
    'search',
    'finetune',
    'detections',
    'steps',
    'missing',
  ])
    sectionOf(html, id);
  const found = plots(html);
  assert.deepEqual(
    found.map((p) => p.name),
    [
      'pareto-flops',
      'pareto-latency',
      'kept-channels',
      'sensitivity',
      'search-0-map50_95',
      'search-0-latency_ms',
      'search-1-reward',
      'loss-detection',
      'loss-distillation',
    ],
  );
  for (const p of found) {
    assert.equal(XMLValidator.validate(p.svg), true, `${p.name} is not well-formed`);
    assert.ok(count(p.svg, /<(path|rect|circle) class="/g) > 0, `${p.name} draws nothing`);
  }
  // The run id is text, never markup.
  assert.ok(html.includes('<code>run-&lt;7&gt;&amp;&quot;x&quot;</code>'));
});

test('HTML report: the table has all three models, the latency spread where measured, and per-class AP', () => {
  const html = renderReportHtml(fullReport(), { images: panelImages() });
  const metrics = sectionOf(html, 'metrics');
  assert.match(
    metrics,
    /<th class="num">original<\/th><th class="num">pruned<\/th><th class="num">compressed<\/th>/,
  );
  assert.match(metrics, /41\.25<span class="spread">p90 44\.50 · min 40\.10 · max 47\.90 · 10 runs<\/span>/);
  assert.match(metrics, /30\.10<span class="spread">spread not recorded<\/span>/);
  assert.match(
    metrics,
    /<td>WBC<\/td><td class="num">0\.800<\/td><td class="num">0\.990<\/td><td class="num">–<\/td>/,
  );
  assert.match(metrics, /<td>Platelets<\/td>(<td class="num">–<\/td>){6}/);
  // FLOPs fell (good, green), mAP fell (bad, red).
  assert.match(metrics, /<td>FLOPs<\/td>.*<span class="better">-45\.1%<\/span>/);
  assert.match(metrics, /<td>mAP50-95<\/td>.*<span class="worse">-2\.3%<\/span>/);
  assert.match(metrics, /FLOPs −40\.0%<\/td><td>−45\.1%<\/td><td><b class="better">yes<\/b>/);
  assert.match(html, /data-verdict="met">target met</);
});

test('HTML report: a run counted in the deploy form labels params and FLOPs and the headline with it', () => {
  const cost = { params: 1, flops: 1 };
  const stages = { backbone: cost, neck: cost, head: cost };
  const html = renderReportHtml(
    RunReportSchema.parse({
      ...fullReportInput,
      cost_form: 'deploy',
      stages: { before: stages, after: stages },
    }),
    { images: panelImages() },
  );
  const metrics = sectionOf(html, 'metrics');
  assert.match(metrics, /<td>Params \(deploy form\)<\/td>/);
  assert.match(metrics, /<td>FLOPs \(deploy form, BN folded\)<\/td>.*<span class="better">-45\.1%<\/span>/);
  assert.match(html, /<p class="sub">[^<]*params [^<]*\(deploy form, BN folded, on both sides\)/);
  assert.match(sectionOf(html, 'kept-channels'), /Both models counted in the deploy form \(BN folded\)\./);
  assert.doesNotMatch(renderReportHtml(fullReport(), { images: panelImages() }), /deploy form/);
});

test('HTML report: search points a planner rejected are drawn open; the chosen model is ringed', () => {
  const html = renderReportHtml(fullReport(), { images: panelImages() });
  const byName = Object.fromEntries(plots(html).map((p) => [p.name, p.svg]));
  assert.equal(count(byName['search-0-map50_95']!, /class="point hollow"/g), 1);
  assert.equal(count(byName['search-0-map50_95']!, /class="point"/g), 2);
  assert.equal(count(byName['search-1-reward']!, /class="point hollow"/g), 2);
  assert.equal(count(byName['pareto-flops']!, /<circle class="chosen"/g), 1);
  assert.equal(count(byName['pareto-flops']!, /data-source="scan"/g), 1);
  // Latency is known for three models only: the scan candidate has none.
  assert.equal(count(byName['pareto-latency']!, /data-source="scan"/g), 0);
  const loss = byName['loss-distillation']!;
  assert.match(loss, /data-series="cwd"/);
  assert.match(loss, /data-series="total"[^>]*stroke-dasharray/);
  assert.match(
    byName['loss-detection']!,
    /data-series="box"[\s\S]*data-series="cls"[\s\S]*data-series="dfl"/,
  );
});

test('HTML report: a run with nothing optional says what is absent instead of drawing empty plots', () => {
  const minimal: RunReportInput = {
    run_id: 'plain',
    input: { model: 'm', planner: 'staged', criterion: 'l1', target: {} },
    steps: [],
    before: fullReportInput.before,
    after: fullReportInput.after,
    plots: {},
    plan_key: 'k',
  };
  const html = renderReportHtml(RunReportSchema.parse(minimal));
  assert.match(sectionOf(html, 'sensitivity'), /No sensitivity scan: the staged planner does not scan/);
  assert.match(sectionOf(html, 'search'), /No search trajectory/);
  assert.match(sectionOf(html, 'finetune'), /No fine-tune loss recorded/);
  assert.match(sectionOf(html, 'detections'), /No test images were drawn/);
  assert.match(html, /data-verdict="none">no target/);
  assert.equal(count(html, /<img /g), 0);
  assert.equal(plots(html).length, 0);
  assert.doesNotMatch(html, /id="missing"/);
});

test('HTML report: a missed target is called out, and a panel whose picture is absent says so', () => {
  const input = structuredClone(fullReportInput);
  input.target_met = { flops: true, latency: false };
  const images = panelImages();
  delete images['detections/01-a-compressed.jpg'];
  const html = renderReportHtml(RunReportSchema.parse(input), { images });
  assert.match(html, /data-verdict="unmet">target missed</);
  assert.match(html, /latency ≤ 30 ms<\/td><td>29\.50 ms<\/td><td><b class="worse">no<\/b>/);
  assert.match(html, /compressed: 9 detections: picture missing/);
  assert.equal(count(html, /<img /g), 2);
});
