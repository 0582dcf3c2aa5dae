// The few SVG primitives the report's two charts share: escaping, linear scales with "nice" ticks, axes and a
// legend. Hand-written SVG because core/ runs without a browser or canvas; the output is plain text that the
// activity stores next to the Markdown report.

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
export const PART_COLORS: Readonly<Record<string, string>> = {
  backbone: '#0072B2',
  neck: '#E69F00',
  head: '#D55E00',
};
export const OTHER_COLOR = '#777777';
/** The rest of the Okabe–Ito palette, for charts whose series are not stages (loss terms, searches). */
export const SERIES_COLORS: readonly string[] = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#D55E00',
  '#CC79A7',
  '#56B4E9',
  '#000000',
  '#F0E442',
];
export const seriesColor = (i: number): string => SERIES_COLORS[i % SERIES_COLORS.length]!;
export const partColor = (stage: string): string => PART_COLORS[stage] ?? OTHER_COLOR;

/** Distinct stages in network order (backbone, neck, head, then any others by name), for legends. */
export function partsInOrder(stages: readonly string[]): string[] {
  const known = Object.keys(PART_COLORS);
  const rank = (s: string) => (known.includes(s) ? known.indexOf(s) : known.length);
  return [...new Set(stages)].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );
}

/** Coordinates with at most two decimals keep the files small and diffs readable. */
export const px = (v: number): string => String(Math.round(v * 100) / 100);

export interface Ticks {
  min: number;
  max: number;
  step: number;
  values: number[];
  /** Formats a tick value with as many decimals as the step needs. */
  label: (v: number) => string;
}

/** Round-number ticks (1, 2 or 5 × 10^k) covering [min, max], the domain widened to whole steps. */
export function niceTicks(min: number, max: number, count = 5): Ticks {
  if (!(max > min)) [min, max] = [min - (Math.abs(min) || 1) * 0.1, max + (Math.abs(max) || 1) * 0.1];
  const raw = (max - min) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const values: number[] = [];
  for (let i = 0; lo + i * step <= hi + step * 1e-6; i++)
    values.push(Number((lo + i * step).toFixed(decimals)));
  return { min: lo, max: hi, step, values, label: (v) => v.toFixed(decimals) };
}

export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const scale = (d0: number, d1: number, r0: number, r1: number) => (v: number) =>
  r0 + ((v - d0) / (d1 - d0 || 1)) * (r1 - r0);

/** Frame, grid lines, tick labels and axis titles; `x` omitted for categorical axes drawn by the caller. */
export function axes(f: Frame, y: Ticks, yTitle: string, x?: { ticks: Ticks; title: string }): string[] {
  const x0 = f.left;
  const x1 = f.width - f.right;
  const y0 = f.height - f.bottom;
  const y1 = f.top;
  const sy = scale(y.min, y.max, y0, y1);
  const out: string[] = [`<g class="axes" font-size="11" fill="#333">`];
  for (const v of y.values) {
    out.push(`<line x1="${px(x0)}" y1="${px(sy(v))}" x2="${px(x1)}" y2="${px(sy(v))}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${px(x0 - 6)}" y="${px(sy(v) + 4)}" text-anchor="end">${y.label(v)}</text>`);
  }
  if (x) {
    const sx = scale(x.ticks.min, x.ticks.max, x0, x1);
    for (const v of x.ticks.values) {
      out.push(`<line x1="${px(sx(v))}" y1="${px(y0)}" x2="${px(sx(v))}" y2="${px(y0 + 5)}" stroke="#333"/>`);
      out.push(`<text x="${px(sx(v))}" y="${px(y0 + 18)}" text-anchor="middle">${x.ticks.label(v)}</text>`);
    }
    out.push(
      `<text x="${px((x0 + x1) / 2)}" y="${px(y0 + 38)}" text-anchor="middle">${escapeXml(x.title)}</text>`,
    );
  }
  out.push(`<line x1="${px(x0)}" y1="${px(y0)}" x2="${px(x1)}" y2="${px(y0)}" stroke="#333"/>`);
  out.push(`<line x1="${px(x0)}" y1="${px(y0)}" x2="${px(x0)}" y2="${px(y1)}" stroke="#333"/>`);
  const my = (y0 + y1) / 2;
  out.push(
    `<text x="${px(x0 - 46)}" y="${px(my)}" text-anchor="middle" transform="rotate(-90 ${px(x0 - 46)} ${px(my)})">${escapeXml(yTitle)}</text>`,
  );
  out.push('</g>');
  return out;
}

/** A vertical legend of colour swatches; `dashed` entries are drawn as a dashed line (reference lines, `dash`). */
export function legend(
  x: number,
  y: number,
  entries: { label: string; color: string; dashed?: boolean; dash?: string }[],
): string[] {
  const out = [`<g class="legend" font-size="11" fill="#333">`];
  entries.forEach((e, i) => {
    const cy = y + i * 18;
    out.push(
      e.dashed
        ? `<line x1="${px(x)}" y1="${px(cy)}" x2="${px(x + 16)}" y2="${px(cy)}" stroke="${e.color}" stroke-dasharray="${e.dash ?? '4 3'}"/>`
        : `<rect x="${px(x)}" y="${px(cy - 5)}" width="16" height="10" fill="${e.color}"/>`,
    );
    out.push(`<text x="${px(x + 22)}" y="${px(cy + 4)}">${escapeXml(e.label)}</text>`);
  });
  out.push('</g>');
  return out;
}

export function svgDocument(width: number, height: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" font-family="sans-serif">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${px(width / 2)}" y="20" text-anchor="middle" font-size="14" fill="#111">${escapeXml(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
