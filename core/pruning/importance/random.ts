// Seeded random scores: the baseline every other criterion must beat. Same seed and group, same scores.

import type { Criterion } from './criterion';

function hash(s: string, seed: number): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** mulberry32. */
function generator(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const randomCriterion: Criterion = {
  name: 'random',
  score(group, ctx) {
    const next = generator(hash(group.id, ctx.seed));
    return Float64Array.from(group.components, () => next());
  },
};
