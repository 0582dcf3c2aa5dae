// A small fully connected network on Float64Arrays: ReLU hidden layers, a sigmoid or linear output, batched
// forward and backward passes, and Adam. Enough for DDPG's actor and critic (two hidden layers of tens to a
// few hundred units); nothing here is meant for large models.
//
// Why not a library: the npm candidates (checked in the registry list) were @tensorflow/tfjs (+ tfjs-core,
// tfjs-layers, tfjs-backend-cpu: several MB of code for two 64-unit layers; tfjs-node needs a native
// TensorFlow download at install, which this machine cannot fetch), brain.js 1.6 (no custom losses or
// gradients with respect to inputs, which DDPG's actor update needs), convnetjs 0.3 (unmaintained since 2016),
// synaptic 1.1 (no batched training, no Adam) and ml-matrix (matrices only, no autograd). The search state
// must also be stored and restored exactly (weights, Adam moments) to resume a search where it stopped, which
// is one Float64Array per network here, and bit-for-bit determinism for a seed is easiest to guarantee when
// every multiply-add is ours.

import type { SearchRandom } from './random';

export type OutputActivation = 'sigmoid' | 'linear';

/** The activations of one forward pass, kept for the backward pass. acts[0] is the input. */
export interface MlpTrace {
  readonly n: number;
  readonly acts: Float64Array[];
}

export class Mlp {
  /** Weights of layer l ([out, in], row-major) start at offsets[l]; its biases follow them. */
  private readonly offsets: number[];

  constructor(
    readonly sizes: readonly number[],
    readonly output: OutputActivation,
    readonly params: Float64Array,
  ) {
    this.offsets = [];
    let o = 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      this.offsets.push(o);
      o += sizes[l + 1]! * sizes[l]! + sizes[l + 1]!;
    }
    if (params.length !== o) throw new RangeError(`an MLP of sizes ${sizes.join('-')} has ${o} parameters`);
  }

  static parameterCount(sizes: readonly number[]): number {
    let o = 0;
    for (let l = 0; l + 1 < sizes.length; l++) o += sizes[l + 1]! * sizes[l]! + sizes[l + 1]!;
    return o;
  }

  /**
   * DDPG's initialisation (Lillicrap et al., as AMC uses it): hidden layers uniform in ±1/√fan-in, the output
   * layer uniform in ±finalBound so that the first outputs are near zero (the sigmoid's middle).
   */
  static init(sizes: readonly number[], output: OutputActivation, rng: SearchRandom, finalBound = 3e-3): Mlp {
    const params = new Float64Array(Mlp.parameterCount(sizes));
    let o = 0;
    const layers = sizes.length - 1;
    for (let l = 0; l < layers; l++) {
      const fanIn = sizes[l]!;
      const count = sizes[l + 1]! * fanIn + sizes[l + 1]!;
      const bound = l === layers - 1 ? finalBound : 1 / Math.sqrt(fanIn);
      for (let i = 0; i < count; i++) params[o + i] = rng.uniform(-bound, bound);
      o += count;
    }
    return new Mlp(sizes, output, params);
  }

  clone(): Mlp {
    return new Mlp(this.sizes, this.output, this.params.slice());
  }

  /** x: n rows of sizes[0]. Returns the trace; its last activation is the output (n rows of sizes[last]). */
  forward(x: Float64Array, n: number): MlpTrace {
    const acts = [x];
    const layers = this.sizes.length - 1;
    let input = x;
    for (let l = 0; l < layers; l++) {
      const inSize = this.sizes[l]!;
      const outSize = this.sizes[l + 1]!;
      const w = this.offsets[l]!;
      const b = w + outSize * inSize;
      const out = new Float64Array(n * outSize);
      const last = l === layers - 1;
      for (let r = 0; r < n; r++) {
        const xi = r * inSize;
        for (let j = 0; j < outSize; j++) {
          let sum = this.params[b + j]!;
          const wj = w + j * inSize;
          for (let k = 0; k < inSize; k++) sum += this.params[wj + k]! * input[xi + k]!;
          out[r * outSize + j] = last
            ? this.output === 'sigmoid'
              ? 1 / (1 + Math.exp(-sum))
              : sum
            : sum > 0
              ? sum
              : 0;
        }
      }
      acts.push(out);
      input = out;
    }
    return { n, acts };
  }

  /**
   * Backpropagates dLoss/dOutput through the pass `trace`, adding dLoss/dParams into `grad` (same layout as
   * params). Returns dLoss/dInput (n rows of sizes[0]).
   */
  backward(trace: MlpTrace, gradOut: Float64Array, grad: Float64Array): Float64Array {
    const { n, acts } = trace;
    const layers = this.sizes.length - 1;
    let g = gradOut.slice();
    for (let l = layers - 1; l >= 0; l--) {
      const inSize = this.sizes[l]!;
      const outSize = this.sizes[l + 1]!;
      const out = acts[l + 1]!;
      const input = acts[l]!;
      // Through the activation: sigmoid' = y(1 − y), ReLU' = [y > 0].
      for (let i = 0; i < g.length; i++) {
        const y = out[i]!;
        if (l === layers - 1) {
          if (this.output === 'sigmoid') g[i]! *= y * (1 - y);
        } else if (y <= 0) g[i] = 0;
      }
      const w = this.offsets[l]!;
      const b = w + outSize * inSize;
      const gIn = new Float64Array(n * inSize);
      for (let r = 0; r < n; r++) {
        const xi = r * inSize;
        for (let j = 0; j < outSize; j++) {
          const gj = g[r * outSize + j]!;
          if (gj === 0) continue;
          grad[b + j]! += gj;
          const wj = w + j * inSize;
          for (let k = 0; k < inSize; k++) {
            grad[wj + k]! += gj * input[xi + k]!;
            gIn[xi + k]! += gj * this.params[wj + k]!;
          }
        }
      }
      g = gIn;
    }
    return g;
  }

  /** θ ← τ·source + (1 − τ)·θ (DDPG's soft target update). */
  softUpdate(source: Mlp, tau: number): void {
    const p = this.params;
    const s = source.params;
    for (let i = 0; i < p.length; i++) p[i] = tau * s[i]! + (1 - tau) * p[i]!;
  }
}

/** Adam (Kingma & Ba) with its moments in the open, so an optimiser is stored and restored exactly. */
export class Adam {
  constructor(
    readonly lr: number,
    readonly m: Float64Array,
    readonly v: Float64Array,
    public t = 0,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-8,
  ) {}

  static create(size: number, lr: number): Adam {
    return new Adam(lr, new Float64Array(size), new Float64Array(size));
  }

  /** One step: params ← params − lr · m̂ / (√v̂ + ε). */
  step(params: Float64Array, grad: Float64Array): void {
    this.t++;
    const c1 = 1 - Math.pow(this.beta1, this.t);
    const c2 = 1 - Math.pow(this.beta2, this.t);
    for (let i = 0; i < params.length; i++) {
      const g = grad[i]!;
      const m = (this.m[i] = this.beta1 * this.m[i]! + (1 - this.beta1) * g);
      const v = (this.v[i] = this.beta2 * this.v[i]! + (1 - this.beta2) * g * g);
      params[i]! -= (this.lr * (m / c1)) / (Math.sqrt(v / c2) + this.eps);
    }
  }
}
