// HTML building blocks for the run report: escaping, tables, figures and the page shell. The page is one
// self-contained file: styles inline, plots inline SVG, pictures data: URIs, and a Content-Security-Policy
// that forbids every network fetch, so a report opened from disk, mail or S3 looks the same everywhere and
// can never call out.

import { escapeXml } from './svg';

export const esc = escapeXml;

/** A table; cells are HTML already (escape text with `esc`). `numeric` columns are right-aligned. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: { className?: string; numeric?: readonly number[] } = {},
): string {
  const num = new Set(options.numeric ?? []);
  const cls = (i: number) => (num.has(i) ? ' class="num"' : '');
  return [
    `<table${options.className ? ` class="${esc(options.className)}"` : ''}>`,
    `<thead><tr>${headers.map((h, i) => `<th${cls(i)}>${h}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${c}</td>`).join('')}</tr>`),
    '</tbody></table>',
  ].join('\n');
}

/** An inline SVG plot with a caption; `name` is the stable handle tests and readers find it by. */
export function figure(name: string, svg: string, caption: string): string {
  return `<figure class="plot" data-plot="${esc(name)}">\n${svg.trim()}\n<figcaption>${caption}</figcaption>\n</figure>`;
}

/** Plots side by side where the page is wide enough, one per row where it is not. */
export const plotGrid = (figures: readonly string[]): string =>
  figures.length === 0 ? '' : `<div class="plots">\n${figures.join('\n')}\n</div>`;

export function section(id: string, title: string, body: readonly string[]): string {
  return [`<section id="${esc(id)}">`, `<h2>${esc(title)}</h2>`, ...body, '</section>'].join('\n');
}

export const note = (text: string, id?: string): string =>
  `<p class="note"${id ? ` id="${esc(id)}"` : ''}>${text}</p>`;

const CSS = `
:root { color-scheme: light; --fg: #1b1b1b; --muted: #5b5b5b; --line: #dedede; --good: #1a7f37; --bad: #b42318; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--fg); background: #fafafa; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
header h1 { font-size: 22px; margin: 0 0 4px; }
header .sub { color: var(--muted); margin: 0 0 12px; }
h2 { font-size: 18px; margin: 0 0 10px; }
h3 { font-size: 15px; margin: 18px 0 8px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 16px 0; }
table { border-collapse: collapse; margin: 6px 0 10px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; font-weight: 600; }
td.num, th.num { text-align: right; }
code { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; background: #f3f3f3; padding: 1px 4px; border-radius: 3px; }
.note { color: var(--muted); margin: 6px 0; }
.spread { display: block; color: var(--muted); font-size: 11px; }
.chip { display: inline-block; padding: 2px 10px; border-radius: 999px; font-weight: 600; margin-right: 6px; border: 1px solid currentColor; }
.chip.met { color: var(--good); } .chip.unmet { color: var(--bad); } .chip.none { color: var(--muted); }
.better { color: var(--good); } .worse { color: var(--bad); }
figure.plot { margin: 8px 0 14px; max-width: 100%; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(500px, 1fr)); gap: 8px 24px; align-items: start; }
.plots figure.plot { width: 100%; }
figure.plot svg { display: block; max-width: 100%; height: auto; }
.plots figure.plot svg { width: 100%; }
figcaption { color: var(--muted); font-size: 12px; max-width: 640px; }
.barcell { display: inline-block; height: 10px; background: #0072B2; vertical-align: middle; margin-right: 6px; }
.examples { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 8px 12px; align-items: start; }
.examples figure { margin: 0; }
.examples img { display: block; width: 100%; height: auto; border: 1px solid var(--line); }
.examples .rowhead { grid-column: 1 / -1; margin-top: 10px; font-weight: 600; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; vertical-align: -1px; margin: 0 4px 0 10px; }
ul.missing li { color: var(--muted); }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
`;

/** No fetch of any kind: images only from data: URIs, styles only inline, no scripts, no frames. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

export function page(title: string, body: readonly string[]): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
