// DDPG's replay memory: a ring of transitions (s, a, r, s', done). Stored as Float32 like the networks' inputs
// would be anyway, so the buffer is half the size in the stored search state and restores bit-for-bit.

import type { SearchRandom } from './random';

export class ReplayBuffer {
  size = 0;
  /** Where the next transition goes (the oldest is overwritten once full). */
  head = 0;

  constructor(
    readonly capacity: number,
    readonly stateDim: number,
    readonly states = new Float32Array(capacity * stateDim),
    readonly nextStates = new Float32Array(capacity * stateDim),
    /** Actions normalised to [0, 1] (a / a_max). */
    readonly actions = new Float32Array(capacity),
    readonly rewards = new Float32Array(capacity),
    readonly done = new Uint8Array(capacity),
  ) {}

  add(s: ArrayLike<number>, a: number, r: number, s2: ArrayLike<number>, done: boolean): void {
    const i = this.head;
    this.states.set(s, i * this.stateDim);
    this.nextStates.set(s2, i * this.stateDim);
    this.actions[i] = a;
    this.rewards[i] = r;
    this.done[i] = done ? 1 : 0;
    this.head = (this.head + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** n indices drawn uniformly with replacement. */
  sample(n: number, rng: SearchRandom): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = rng.int(this.size);
    return out;
  }
}
