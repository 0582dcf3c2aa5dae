// The scan's plot: mAP50-95 against pruning ratio, one line per unit starting at the unpruned baseline,
// coloured by part, so a reader sees at a glance which part falls fastest (the ranking the report states).

import type { SensitivityBaseline, SensitivityCurve } from '../planning/sensitivity-types';
import { compareUnits } from '../planning/sensitivity-curves';
import {
  axes,
  escapeXml,
  type Frame,
  legend,
  niceTicks,
  px,
  scale,
  partColor,
  partsInOrder,
  svgDocument,
} from './svg';

const FRAME: Frame = { width: 760, height: 440, left: 70, right: 170, top: 40, bottom: 56 };

export function renderSensitivitySvg(
  curves: readonly SensitivityCurve[],
  baseline: SensitivityBaseline,
): string {
  const sorted = [...curves].sort((a, b) => compareUnits(a.unit, b.unit));
  const maps = [baseline.map50_95, ...sorted.flatMap((c) => c.points.map((p) => p.map50_95))];
  const maxRatio = Math.max(0, ...sorted.flatMap((c) => c.points.map((p) => p.ratio)));
  const xt = niceTicks(0, maxRatio > 0 ? maxRatio : 1, 6);
  const yt = niceTicks(Math.min(...maps), Math.max(...maps), 5);
  const f = FRAME;
  const sx = scale(xt.min, xt.max, f.left, f.width - f.right);
  const sy = scale(yt.min, yt.max, f.height - f.bottom, f.top);

  const body = axes(f, yt, 'mAP50-95', { ticks: xt, title: 'pruning ratio (unit pruned alone)' });
  const by = sy(baseline.map50_95);
  body.push(
    `<line class="baseline" x1="${px(f.left)}" y1="${px(by)}" x2="${px(f.width - f.right)}" y2="${px(by)}" stroke="#555" stroke-dasharray="4 3"/>`,
  );
  body.push('<g class="curves" fill="none" stroke-width="1.6" stroke-linejoin="round">');
  for (const c of sorted) {
    const pts = [{ ratio: 0, map50_95: baseline.map50_95 }, ...c.points];
    const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(sx(p.ratio))} ${px(sy(p.map50_95))}`).join(' ');
    const color = partColor(c.stage);
    // The <title> is the hover tooltip: with 20+ units, per-line labels would overlap.
    body.push(
      `<path class="curve" data-unit="${escapeXml(c.unit)}" data-stage="${escapeXml(c.stage)}" d="${d}" stroke="${color}" stroke-opacity="0.85"><title>${escapeXml(`${c.unit} (${c.stage})`)}</title></path>`,
    );
    for (const p of c.points) {
      body.push(
        `<circle cx="${px(sx(p.ratio))}" cy="${px(sy(p.map50_95))}" r="2.2" fill="${color}" stroke="none"/>`,
      );
    }
  }
  body.push('</g>');

  const stages = partsInOrder(sorted.map((c) => c.stage));
  const count = (s: string) => sorted.filter((c) => c.stage === s).length;
  body.push(
    ...legend(f.width - f.right + 16, f.top + 8, [
      ...stages.map((s) => ({
        label: `${s} (${count(s)} unit${count(s) === 1 ? '' : 's'})`,
        color: partColor(s),
      })),
      { label: `baseline ${baseline.map50_95.toFixed(3)}`, color: '#555', dashed: true },
    ]),
  );
  if (sorted.length === 0) {
    body.push(
      `<text x="${px((f.left + f.width - f.right) / 2)}" y="${px(f.height / 2)}" text-anchor="middle">no scan points</text>`,
    );
  }
  return svgDocument(f.width, f.height, 'Sensitivity: mAP50-95 vs pruning ratio, one line per unit', body);
}
