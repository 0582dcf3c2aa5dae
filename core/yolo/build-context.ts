// What every block emitter shares while a YOLO graph is built: the graph accumulator, the seeded weights,
// and ultralytics' `Conv` module (conv → BN → SiLU) in train-form.

import { float, GraphBuilder, int, ints } from './graph-builder';
import { createRandom, uniform } from './seeded-random';

/** ultralytics' Conv/BN settings: BatchNorm2d(eps=1e-3, momentum=0.03); ONNX momentum is 1 - torch's. */
export const BN_EPSILON = 0.001;
export const BN_MOMENTUM = 0.97;

export interface ConvOptions {
  /** Padding; default k // 2 (ultralytics' autopad). */
  readonly p?: number;
  /** Conv groups; a DWConv has groups = c1 = c2. Default 1. */
  readonly groups?: number;
  /** SiLU after BN; ultralytics' Conv(act=False) has none. Default true. */
  readonly act?: boolean;
}

export class YoloBuildContext {
  readonly g = new GraphBuilder();
  private readonly random: () => number;

  constructor(
    seed: number,
    private readonly batchNorm: 'identity' | 'random',
  ) {
    this.random = createRandom(seed);
  }

  /** torch's default Conv2d init: kaiming_uniform(a=√5) → U(±1/√fan_in). */
  convWeight(name: string, c2: number, c1: number, k: number, groups = 1): string {
    const fanIn = (c1 / groups) * k * k;
    return this.g.initializer(
      name,
      [c2, c1 / groups, k, k],
      uniform(this.random, c2 * (c1 / groups) * k * k, 1 / Math.sqrt(fanIn)),
    );
  }

  /**
   * ultralytics `Conv`: conv (bias-free) → BN → SiLU under `scope` (e.g. `/model.2/cv1`), parameters under
   * `prefix` (e.g. `model.2.cv1`). Returns the module's output.
   */
  convBnSilu(
    scope: string,
    prefix: string,
    x: string,
    c1: number,
    c2: number,
    k: number,
    s: number,
    options: ConvOptions = {},
  ): string {
    const { g } = this;
    const groups = options.groups ?? 1;
    const w = this.convWeight(`${prefix}.conv.weight`, c2, c1, k, groups);
    const p = options.p ?? Math.floor(k / 2);
    const conv = g.op1(`${scope}/conv`, 'Conv', [x, w], {
      dilations: ints([1, 1]),
      group: int(groups),
      kernel_shape: ints([k, k]),
      pads: ints([p, p, p, p]),
      strides: ints([s, s]),
    });
    const bn = this.bnParams(`${prefix}.bn`, c2);
    const y = g.op1(`${scope}/bn`, 'BatchNormalization', [conv, ...bn], {
      epsilon: float(BN_EPSILON),
      momentum: float(BN_MOMENTUM),
    });
    if (options.act === false) return y;
    const sig = g.op1(`${scope}/act`, 'Sigmoid', [y]);
    return g.op1(`${scope}/act`, 'Mul', [y, sig]);
  }

  private bnParams(prefix: string, c: number): string[] {
    const r = this.random;
    const random = this.batchNorm === 'random';
    const fill = (f: () => number) => Float32Array.from({ length: c }, f);
    return [
      this.g.initializer(`${prefix}.weight`, [c], fill(random ? () => 0.5 + r() : () => 1)),
      this.g.initializer(`${prefix}.bias`, [c], fill(random ? () => r() - 0.5 : () => 0)),
      this.g.initializer(`${prefix}.running_mean`, [c], fill(random ? () => (r() - 0.5) * 0.2 : () => 0)),
      this.g.initializer(`${prefix}.running_var`, [c], fill(random ? () => 0.5 + r() : () => 1)),
    ];
  }

  /** A plain nn.Conv2d with bias (the last conv of each Detect branch). */
  conv2d(scope: string, prefix: string, x: string, c1: number, c2: number, bias: Float32Array): string {
    const w = this.convWeight(`${prefix}.weight`, c2, c1, 1);
    const b = this.g.initializer(`${prefix}.bias`, [c2], bias);
    return this.g.op1(scope, 'Conv', [x, w, b], {
      dilations: ints([1, 1]),
      group: int(1),
      kernel_shape: ints([1, 1]),
      pads: ints([0, 0, 0, 0]),
      strides: ints([1, 1]),
    });
  }
}
