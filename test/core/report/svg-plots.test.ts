import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { buildSensitivityCurves } from '../../../core/planning';
import { renderRatiosSvg, renderSensitivitySvg, PART_COLORS } from '../../../core/report';
import { baseline, point, prunedYoloLike } from '../planning/fixtures-synthetic';

const wellFormed = (svg: string) => {
  const result = XMLValidator.validate(svg);
  assert.equal(result, true, JSON.stringify(result));
  const doc = new XMLParser({ ignoreAttributes: false }).parse(svg) as { svg: Record<string, unknown> };
  assert.equal(doc.svg['@_xmlns'], 'http://www.w3.org/2000/svg');
};
const count = (svg: string, re: RegExp) => svg.match(re)?.length ?? 0;

test('sensitivity SVG: well-formed, one path per unit coloured by stage, axes with ticks, a legend', () => {
  const curves = buildSensitivityCurves(baseline, prunedYoloLike);
  const svg = renderSensitivitySvg(curves, baseline);
  wellFormed(svg);
  assert.equal(count(svg, /<path /g), curves.length);
  assert.equal(count(svg, /<path class="curve"/g), 5);
  for (const c of curves) {
    const path = new RegExp(
      `<path class="curve" data-unit="${c.unit}" data-stage="${c.stage}" d="M[^"]+" stroke="${PART_COLORS[c.stage]}"`,
    );
    assert.match(svg, path);
  }
  // Each line starts at (0, baseline) and has one segment per measured point.
  const d = /data-unit="model.22"[^>]* d="([^"]+)"/.exec(svg)![1]!;
  assert.equal(d.split('L').length, 3);
  assert.match(svg, />0\.5</); // x tick at ratio 0.5
  assert.match(svg, />mAP50-95</);
  assert.match(svg, /class="legend"[\s\S]*backbone \(2 units\)[\s\S]*neck \(2 units\)[\s\S]*head \(1 unit\)/);
  assert.match(svg, /baseline 0\.500/);
});

test('sensitivity SVG: names are escaped; an empty scan still yields a valid document', () => {
  const odd = buildSensitivityCurves(baseline, [point('model.3<&>"', 'backbone', 0.3, 0.01, 10)]);
  const svg = renderSensitivitySvg(odd, baseline);
  wellFormed(svg);
  assert.match(svg, /data-unit="model\.3&lt;&amp;&gt;&quot;"/);
  const empty = renderSensitivitySvg([], baseline);
  wellFormed(empty);
  assert.equal(count(empty, /<path /g), 0);
});

test('ratios SVG: well-formed, one bar per layer with height proportional to kept channels', () => {
  const layers = [
    { name: '/model.0/conv/Conv', stage: 'backbone', before: 16, after: 16 },
    { name: '/model.15/cv1/conv/Conv', stage: 'neck', before: 64, after: 48 },
    { name: '/model.22/cv2.0/cv2.0.0/conv/Conv', stage: 'head', before: 64, after: 32 },
  ];
  const svg = renderRatiosSvg(layers);
  wellFormed(svg);
  assert.equal(count(svg, /<rect class="bar"/g), 3);
  const heights = [...svg.matchAll(/<rect class="bar"[^>]* height="([\d.]+)" fill="([^"]+)"/g)].map((m) => [
    Number(m[1]),
    m[2],
  ]);
  assert.deepEqual(
    heights.map(([, c]) => c),
    [PART_COLORS.backbone, PART_COLORS.neck, PART_COLORS.head],
  );
  const [full, threeQuarters, half] = heights.map(([h]) => h as number);
  assert.ok(Math.abs(threeQuarters! / full! - 0.75) < 1e-3 && Math.abs(half! / full! - 0.5) < 1e-3);
  assert.match(svg, /16\/16 channels kept/);
  wellFormed(renderRatiosSvg([]));
});
