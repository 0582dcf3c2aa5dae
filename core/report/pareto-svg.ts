// Every model the run evaluated, cost against accuracy: the baseline, the pruned and the delivered model,
// each sensitivity-scan candidate and each search candidate. The delivered model is ringed. The frontier
// (no other model both cheaper and more accurate) is drawn only through models measured on the same split as
// the delivered one: scan and search candidates are scored on a calibration subset, whose mAP is not
// comparable with the evaluation split's.

import type { ParetoPoint } from './run-report';
import { axes, escapeXml, type Frame, legend, niceTicks, px, scale, svgDocument } from './svg';

export type ParetoAxis = 'flops' | 'latency';

const STYLE: Record<ParetoPoint['source'], { color: string; label: string }> = {
  baseline: { color: '#555555', label: 'original' },
  pruned: { color: '#E69F00', label: 'pruned, before fine-tuning' },
  final: { color: '#D55E00', label: 'delivered (fine-tuned, exported)' },
  scan: { color: '#56B4E9', label: 'scan candidate (calibration subset)' },
  search: { color: '#009E73', label: 'search candidate' },
};

const costOf = (p: ParetoPoint, axis: ParetoAxis) => (axis === 'flops' ? p.flops : p.latency_ms);

/** Points on the frontier, by increasing cost: each more accurate than every cheaper one. */
export function paretoFrontier(points: readonly ParetoPoint[], axis: ParetoAxis): ParetoPoint[] {
  const sorted = points
    .filter((p) => costOf(p, axis) !== undefined)
    .sort((a, b) => costOf(a, axis)! - costOf(b, axis)! || b.map50_95 - a.map50_95);
  const out: ParetoPoint[] = [];
  for (const p of sorted) if (out.length === 0 || p.map50_95 > out[out.length - 1]!.map50_95) out.push(p);
  return out;
}

function marker(p: ParetoPoint, x: number, y: number, color: string): string {
  const title = `<title>${escapeXml(`${p.label}: mAP50-95 ${p.map50_95.toFixed(3)}${p.split ? ` (${p.split})` : ''}`)}</title>`;
  const attrs = `class="pareto-point" data-source="${p.source}" fill="${color}" stroke="#fff" stroke-width="0.8"`;
  switch (p.source) {
    case 'baseline':
      return `<rect ${attrs} x="${px(x - 5)}" y="${px(y - 5)}" width="10" height="10">${title}</rect>`;
    case 'pruned':
      return `<path ${attrs} d="M${px(x)} ${px(y - 6)} L${px(x + 6)} ${px(y + 5)} L${px(x - 6)} ${px(y + 5)} Z">${title}</path>`;
    case 'search':
      return `<path ${attrs} d="M${px(x)} ${px(y - 5)} L${px(x + 5)} ${px(y)} L${px(x)} ${px(y + 5)} L${px(x - 5)} ${px(y)} Z">${title}</path>`;
    case 'scan':
      return `<circle ${attrs} cx="${px(x)}" cy="${px(y)}" r="3" fill-opacity="0.7">${title}</circle>`;
    default:
      return `<circle ${attrs} cx="${px(x)}" cy="${px(y)}" r="6">${title}</circle>`;
  }
}

export function renderParetoSvg(all: readonly ParetoPoint[], axis: ParetoAxis): string {
  const f: Frame = { width: 700, height: 400, left: 70, right: 250, top: 40, bottom: 56 };
  const points = all.filter((p) => costOf(p, axis) !== undefined && Number.isFinite(p.map50_95));
  const costs = points.map((p) => costOf(p, axis)!);
  const maxCost = costs.length ? Math.max(...costs) : 1;
  // FLOPs in G or M, whichever reads better for this model's size.
  const unit = axis === 'latency' ? 1 : maxCost >= 1e9 ? 1e9 : 1e6;
  const xTitle = axis === 'latency' ? 'latency, ms (median, batch 1)' : unit === 1e9 ? 'GFLOPs' : 'MFLOPs';
  const xt = niceTicks(costs.length ? Math.min(...costs) / unit : 0, maxCost / unit, 6);
  const maps = points.map((p) => p.map50_95);
  const yt = niceTicks(maps.length ? Math.min(...maps) : 0, maps.length ? Math.max(...maps) : 1, 5);
  const sx = scale(xt.min, xt.max, f.left, f.width - f.right);
  const sy = scale(yt.min, yt.max, f.height - f.bottom, f.top);
  const at = (p: ParetoPoint) => [sx(costOf(p, axis)! / unit), sy(p.map50_95)] as const;

  const body = axes(f, yt, 'mAP50-95', { ticks: xt, title: xTitle });
  const chosen = points.find((p) => p.chosen);
  const frontier = paretoFrontier(
    points.filter((p) => (chosen ? p.split === chosen.split : true)),
    axis,
  );
  if (frontier.length > 1) {
    // A staircase: between two frontier models, the cheaper one's accuracy holds until the next is reached.
    const d = frontier
      .map((p, i) => {
        const [x, y] = at(p);
        if (i === 0) return `M${px(x)} ${px(y)}`;
        const [, prevY] = at(frontier[i - 1]!);
        return `L${px(x)} ${px(prevY)} L${px(x)} ${px(y)}`;
      })
      .join(' ');
    body.push(
      `<path class="frontier" d="${d}" fill="none" stroke="#999" stroke-width="1.2" stroke-dasharray="4 3"/>`,
    );
  }
  // Scan points first so the few named models are drawn on top of the cloud.
  const order: ParetoPoint['source'][] = ['scan', 'search', 'baseline', 'pruned', 'final'];
  for (const source of order) {
    for (const p of points.filter((q) => q.source === source)) {
      const [x, y] = at(p);
      body.push(marker(p, x, y, STYLE[p.source].color));
    }
  }
  if (chosen) {
    const [x, y] = at(chosen);
    body.push(
      `<circle class="chosen" cx="${px(x)}" cy="${px(y)}" r="11" fill="none" stroke="#111" stroke-width="1.6"/>`,
      `<text x="${px(x + 14)}" y="${px(y - 10)}" font-size="11" fill="#111">chosen</text>`,
    );
  }
  const present = order.filter((s) => points.some((p) => p.source === s));
  body.push(
    ...legend(f.width - f.right + 16, f.top + 8, [
      ...present.map((s) => ({ label: STYLE[s].label, color: STYLE[s].color })),
      ...(frontier.length > 1 ? [{ label: 'frontier', color: '#999', dashed: true }] : []),
    ]),
  );
  if (points.length === 0) {
    body.push(
      `<text x="${px((f.left + f.width - f.right) / 2)}" y="${px(f.height / 2)}" text-anchor="middle">no models with a measured ${axis}</text>`,
    );
  }
  const title =
    axis === 'flops'
      ? 'Every evaluated model: FLOPs vs mAP50-95'
      : 'Every evaluated model: latency vs mAP50-95';
  return svgDocument(f.width, f.height, title, body);
}
