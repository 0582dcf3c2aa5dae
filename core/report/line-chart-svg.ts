// A line chart with markers: the fine-tune's loss terms against step, and a search's reward or mAP against
// iteration. Same hand-written SVG as the other plots (svg.ts), so the report needs no script to draw.

import { axes, escapeXml, type Frame, legend, niceTicks, px, scale, seriesColor, svgDocument } from './svg';

export interface LinePoint {
  x: number;
  y: number;
  /** Drawn as an open circle (a rejected candidate, a sample that was not a new best). */
  hollow?: boolean;
  /** Hover text. */
  title?: string;
}

export interface LineSeries {
  name: string;
  color?: string;
  dashed?: boolean;
  /** Draw a marker at every point (default: only when the series has at most 60 points). */
  markers?: boolean;
  points: readonly LinePoint[];
}

export interface LineChartOptions {
  title: string;
  xTitle: string;
  yTitle: string;
  width?: number;
  height?: number;
  /** Start the y axis at 0 (losses) instead of at the data's minimum. */
  yFromZero?: boolean;
}

const finite = (p: LinePoint) => Number.isFinite(p.x) && Number.isFinite(p.y);

export function renderLineChartSvg(series: readonly LineSeries[], o: LineChartOptions): string {
  const f: Frame = {
    width: o.width ?? 560,
    height: o.height ?? 320,
    left: 70,
    right: 150,
    top: 40,
    bottom: 56,
  };
  const all = series.flatMap((s) => s.points.filter(finite));
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  const xt = niceTicks(xs.length ? Math.min(...xs) : 0, xs.length ? Math.max(...xs) : 1, 6);
  const yMin = ys.length ? Math.min(...ys) : 0;
  const yt = niceTicks(o.yFromZero ? Math.min(0, yMin) : yMin, ys.length ? Math.max(...ys) : 1, 5);
  const sx = scale(xt.min, xt.max, f.left, f.width - f.right);
  const sy = scale(yt.min, yt.max, f.height - f.bottom, f.top);

  const body = axes(f, yt, o.yTitle, { ticks: xt, title: o.xTitle });
  series.forEach((s, i) => {
    const color = s.color ?? seriesColor(i);
    const pts = s.points.filter(finite);
    if (pts.length === 0) return;
    const d = pts.map((p, j) => `${j === 0 ? 'M' : 'L'}${px(sx(p.x))} ${px(sy(p.y))}`).join(' ');
    body.push(
      `<path class="series" data-series="${escapeXml(s.name)}" d="${d}" fill="none" stroke="${color}" stroke-width="1.8" stroke-linejoin="round"${s.dashed ? ' stroke-dasharray="5 3"' : ''}><title>${escapeXml(s.name)}</title></path>`,
    );
    if (s.markers ?? pts.length <= 60) {
      for (const p of pts) {
        const fill = p.hollow ? '#ffffff' : color;
        const title = p.title ? `<title>${escapeXml(p.title)}</title>` : '';
        body.push(
          `<circle class="point${p.hollow ? ' hollow' : ''}" cx="${px(sx(p.x))}" cy="${px(sy(p.y))}" r="3" fill="${fill}" stroke="${color}" stroke-width="1.4">${title}</circle>`,
        );
      }
    }
  });
  body.push(
    ...legend(
      f.width - f.right + 16,
      f.top + 8,
      series.map((s, i) => ({ label: s.name, color: s.color ?? seriesColor(i), dashed: s.dashed })),
    ),
  );
  if (all.length === 0) {
    body.push(
      `<text x="${px((f.left + f.width - f.right) / 2)}" y="${px(f.height / 2)}" text-anchor="middle">no data</text>`,
    );
  }
  return svgDocument(f.width, f.height, o.title, body);
}
