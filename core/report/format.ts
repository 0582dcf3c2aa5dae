// Number formatting for the Markdown report. Written out rather than Intl so that the text is identical on
// every machine regardless of locale or ICU build.

/** 3011433 → `3,011,433`. */
export function groupThousands(n: number): string {
  const [int, frac] = Math.round(n).toString().split('.');
  return int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (frac ? `.${frac}` : '');
}

/** FLOPs with an SI prefix as ultralytics prints them: `8.19 G`, `412.5 M`. */
export function formatFlops(flops: number): string {
  if (flops >= 1e9) return `${(flops / 1e9).toFixed(2)} G`;
  if (flops >= 1e6) return `${(flops / 1e6).toFixed(1)} M`;
  return groupThousands(flops);
}

/** Relative change in percent with a sign: `-50.0%`, `+1.2%`, `0.0%`; `n/a` when before is 0. */
export function percentChange(before: number, after: number): string {
  if (before === 0) return 'n/a';
  const p = ((after - before) / Math.abs(before)) * 100;
  const text = Math.abs(p).toFixed(1);
  return Number(text) === 0 ? '0.0%' : `${p < 0 ? '-' : '+'}${text}%`;
}

/** `12.3 s`, `4 min 05 s`, `2 h 03 min`. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Table cells: a `|` would end the cell, a newline the row. */
export const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
