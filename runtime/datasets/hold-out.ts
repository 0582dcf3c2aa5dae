import { createHash } from 'node:crypto';
import path from 'node:path';
import type { DataSplit } from '../../common/data-split';

/**
 * The image file stems (names without folder and extension) a hold-out holds: up to `count` of them, never
 * more than half of the split, ordered by sha256("<seed>:<stem>") (ties by stem). trainer/stageprune_trainer/datasets.py computes
 * the same set; test/runtime/hold-out.test.ts checks the two agree.
 */
export function heldOutNames(names: readonly string[], count: number, seed: number): Set<string> {
  const unique = [...new Set(names)];
  const n = Math.min(count, Math.floor(unique.length / 2));
  const ranked = unique
    .map((name) => ({ name, key: createHash('sha256').update(`${seed}:${name}`).digest('hex') }))
    .sort((a, b) =>
      a.key < b.key ? -1 : a.key > b.key ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  return new Set(ranked.slice(0, n).map((r) => r.name));
}

/**
 * The images of `split` from its base split's `items` (in their order): all of them for a named split, the
 * held or the other ones for a hold-out; then the first `limit`. Hold-outs rank the base split's stems, so
 * both sides are computed from the same list whatever the limit.
 */
export function selectSplitImages<T>(
  split: DataSplit,
  items: readonly T[],
  stemOf: (item: T) => string,
  limit?: number,
): T[] {
  let chosen = [...items];
  if (typeof split !== 'string') {
    const held = heldOutNames(items.map(stemOf), split.holdOut, split.seed);
    const wantHeld = split.part === 'held';
    chosen = chosen.filter((item) => held.has(stemOf(item)) === wantHeld);
  }
  return limit !== undefined ? chosen.slice(0, limit) : chosen;
}

/** An image's identity in a hold-out: its file name without folder and extension. */
export function fileStem(file: string): string {
  return path.basename(file, path.extname(file));
}
