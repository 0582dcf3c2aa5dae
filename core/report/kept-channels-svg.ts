// Kept channels per layer, grouped by stage, against two references per part: the staged plan's bound (the
// fraction the staged planner removes there, as scaled to the target) and the review's upper bound (what the
// sensitivity planner may remove at most). A bar under the review line is a stage cut deeper than the review
// allows; a sensitivity plan shows as bars of uneven height within a stage.

import { keptFraction, type LayerRatio } from './ratios-svg';
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

/** Fractions of channels removed per part. */
export type PartRatios = Readonly<Record<'backbone' | 'neck' | 'head', number>>;

export interface PartBounds {
  staged?: PartRatios;
  review: PartRatios;
}

const SLOT = 12;
const GAP = 18;
const LABEL_CHARS = 26;
const shorten = (name: string) => (name.length > LABEL_CHARS ? `…${name.slice(-(LABEL_CHARS - 1))}` : name);

export function renderKeptChannelsSvg(perLayer: readonly LayerRatio[], bounds?: PartBounds): string {
  const stages = partsInOrder(perLayer.map((l) => l.stage));
  const groups = stages.map((stage) => ({ stage, layers: perLayer.filter((l) => l.stage === stage) }));
  const f: Frame = { width: 0, height: 440, left: 64, right: 190, top: 56, bottom: 140 };
  const plotWidth = perLayer.length * SLOT + Math.max(0, groups.length - 1) * GAP;
  f.width = Math.max(560, f.left + f.right + plotWidth + 8);
  const yt = niceTicks(0, 1, 5);
  const sy = scale(yt.min, yt.max, f.height - f.bottom, f.top);
  const y0 = f.height - f.bottom;

  const body = axes(f, yt, 'kept channel fraction');
  let x = f.left + 4;
  for (const g of groups) {
    const gx0 = x;
    body.push(`<g class="stage-group" data-stage="${escapeXml(g.stage)}">`);
    for (const l of g.layers) {
      const kept = Math.min(1, Math.max(0, keptFraction(l)));
      const top = sy(kept);
      body.push(
        `<rect class="bar" data-layer="${escapeXml(l.name)}" x="${px(x + 1)}" y="${px(top)}" width="${SLOT - 2}" height="${px(y0 - top)}" fill="${partColor(l.stage)}"><title>${escapeXml(`${l.name} (${l.stage}): ${l.after}/${l.before} channels kept (${(kept * 100).toFixed(0)}%)`)}</title></rect>`,
      );
      const lx = x + SLOT / 2 + 3;
      body.push(
        `<text x="${px(lx)}" y="${px(y0 + 8)}" font-size="8" fill="#333" text-anchor="end" transform="rotate(-65 ${px(lx)} ${px(y0 + 8)})">${escapeXml(shorten(l.name))}</text>`,
      );
      x += SLOT;
    }
    const gx1 = x;
    body.push(
      `<text x="${px((gx0 + gx1) / 2)}" y="${px(f.top - 8)}" text-anchor="middle" font-size="11" fill="${partColor(g.stage)}">${escapeXml(g.stage)}</text>`,
    );
    const stage = g.stage as keyof PartRatios;
    const line = (ratio: number | undefined, cls: string, dash: string, title: string) => {
      if (ratio === undefined) return;
      const y = sy(1 - ratio);
      body.push(
        `<line class="${cls}" data-stage="${escapeXml(g.stage)}" x1="${px(gx0)}" y1="${px(y)}" x2="${px(gx1)}" y2="${px(y)}" stroke="#222" stroke-width="1.5" stroke-dasharray="${dash}"><title>${escapeXml(title)}</title></line>`,
      );
    };
    if (bounds && ['backbone', 'neck', 'head'].includes(g.stage)) {
      const s = bounds.staged?.[stage];
      const r = bounds.review[stage];
      line(s, 'bound-staged', '6 3', `staged plan: ${g.stage} keeps ${((1 - (s ?? 0)) * 100).toFixed(0)}%`);
      line(
        r,
        'bound-review',
        '2 2',
        `review bound: ${g.stage} keeps at least ${((1 - r) * 100).toFixed(0)}%`,
      );
    }
    body.push('</g>');
    x += GAP;
  }
  body.push(
    ...legend(f.width - f.right + 16, f.top + 8, [
      ...stages.map((s) => ({ label: s, color: partColor(s) })),
      ...(bounds?.staged ? [{ label: 'staged plan (1 − ratio)', color: '#222', dashed: true }] : []),
      ...(bounds ? [{ label: 'review bound (1 − max)', color: '#222', dashed: true, dash: '2 2' }] : []),
    ]),
  );
  if (perLayer.length === 0) {
    body.push(
      `<text x="${px((f.left + f.width - f.right) / 2)}" y="${px(f.height / 2)}" text-anchor="middle">no layers</text>`,
    );
  }
  return svgDocument(f.width, f.height, 'Kept channels per layer, by stage', body);
}
