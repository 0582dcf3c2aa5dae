// The search's random numbers: sfc32 (a small, fast generator with 128 bits of state) seeded by splitmix32,
// so that a search is a pure function of its seed and its state can be stored and restored exactly (four
// uint32). Each episode draws from its own stream (seed, episode), so what episode e explores does not depend
// on how many numbers earlier episodes or the agent's updates used.

function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

export class SearchRandom {
  private readonly s: Uint32Array;

  private constructor(state: ArrayLike<number>) {
    this.s = Uint32Array.from(state);
  }

  /** Stream `stream` of seed `seed` (e.g. one stream per episode, stream 0 for the agent's updates). */
  static fromSeed(seed: number, stream = 0): SearchRandom {
    let x = splitmix32((seed >>> 0) ^ splitmix32(stream >>> 0));
    const state: number[] = [];
    for (let i = 0; i < 4; i++) {
      x = splitmix32(x + i);
      state.push(x);
    }
    const r = new SearchRandom(state);
    for (let i = 0; i < 12; i++) r.next(); // mix the seed through the state before first use
    return r;
  }

  static fromState(state: readonly number[]): SearchRandom {
    if (state.length !== 4) throw new RangeError(`a SearchRandom state has 4 words, got ${state.length}`);
    return new SearchRandom(state);
  }

  get state(): number[] {
    return Array.from(this.s);
  }

  /** Uniform in [0, 1). */
  next(): number {
    const s = this.s;
    const t = (((s[0]! + s[1]!) >>> 0) + s[3]!) >>> 0;
    s[3] = (s[3]! + 1) >>> 0;
    s[0] = s[1]! ^ (s[1]! >>> 9);
    s[1] = (s[2]! + (s[2]! << 3)) >>> 0;
    s[2] = ((s[2]! << 21) | (s[2]! >>> 11)) >>> 0;
    s[2] = (s[2]! + t) >>> 0;
    return t / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller; one value per call, so the state alone says what comes next). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * Normal(mu, sigma) truncated to [lo, hi], by rejection (AMC samples its exploration this way, with
   * scipy's truncnorm). mu lies in [lo, hi] here, so at least about a sixth of the draws are accepted even
   * for a large sigma; after 64 rejections (vanishingly rare) mu is returned.
   */
  truncatedNormal(mu: number, sigma: number, lo: number, hi: number): number {
    if (!(sigma > 0)) return Math.min(hi, Math.max(lo, mu));
    for (let i = 0; i < 64; i++) {
      const x = mu + sigma * this.normal();
      if (x >= lo && x <= hi) return x;
    }
    return Math.min(hi, Math.max(lo, mu));
  }
}
