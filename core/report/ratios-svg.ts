// Per-layer result of the applied plan: the fraction of channels each layer kept, one bar per layer in network
// order, coloured by part, so a staged or sensitivity plan's shape is visible next to the sensitivity plot.

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

export interface LayerRatio {
  /** Layer (group) name, e.g. `/model.2/cv1/conv/Conv`. */
  name: string;
  stage: string;
  /** Channels before and after pruning. */
  before: number;
  after: number;
}

const SLOT = 14;
const LABEL_CHARS = 30;

const shorten = (name: string) => (name.length > LABEL_CHARS ? `…${name.slice(-(LABEL_CHARS - 1))}` : name);

/** A layer with no channels to begin with kept "all" of them. */
export const keptFraction = (l: LayerRatio): number => (l.before > 0 ? l.after / l.before : 1);

export function renderRatiosSvg(perLayer: readonly LayerRatio[]): string {
  const f: Frame = { width: 0, height: 420, left: 64, right: 150, top: 40, bottom: 150 };
  f.width = Math.max(520, f.left + f.right + perLayer.length * SLOT);
  const yt = niceTicks(0, 1, 5);
  const sy = scale(yt.min, yt.max, f.height - f.bottom, f.top);
  const y0 = f.height - f.bottom;

  const body = axes(f, yt, 'kept channel fraction');
  body.push('<g class="bars">');
  perLayer.forEach((l, i) => {
    const kept = Math.min(1, Math.max(0, keptFraction(l)));
    const x = f.left + i * SLOT + 2;
    const top = sy(kept);
    body.push(
      `<rect class="bar" data-layer="${escapeXml(l.name)}" x="${px(x)}" y="${px(top)}" width="${SLOT - 4}" height="${px(y0 - top)}" fill="${partColor(l.stage)}"><title>${escapeXml(`${l.name} (${l.stage}): ${l.after}/${l.before} channels kept`)}</title></rect>`,
    );
    const lx = x + (SLOT - 4) / 2 + 3;
    body.push(
      `<text x="${px(lx)}" y="${px(y0 + 8)}" font-size="9" fill="#333" text-anchor="end" transform="rotate(-65 ${px(lx)} ${px(y0 + 8)})">${escapeXml(shorten(l.name))}</text>`,
    );
  });
  body.push('</g>');
  const stages = partsInOrder(perLayer.map((l) => l.stage));
  body.push(
    ...legend(
      f.width - f.right + 16,
      f.top + 8,
      stages.map((s) => ({ label: s, color: partColor(s) })),
    ),
  );
  if (perLayer.length === 0) {
    body.push(
      `<text x="${px((f.left + f.width - f.right) / 2)}" y="${px(f.height / 2)}" text-anchor="middle">no layers</text>`,
    );
  }
  return svgDocument(f.width, f.height, 'Kept channel fraction per layer', body);
}
