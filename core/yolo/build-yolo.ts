// Builds the train-form ONNX of a YOLOv8 model: Conv (no bias) → BatchNormalization → SiLU (Sigmoid, Mul),
// with the node, tensor and initializer names, node order and decoded output of ultralytics' own export
// (ultralytics 8.4, torch ONNX exporter, opset 18, simplify=False). Folding BN (core/export) turns it into
// the same graph ultralytics exports.

import { DataType } from '../onnx/data-type';
import type { Model } from '../onnx/model';
import { anchorCount, type ModuleSpec, resolveModules, type YoloV8Spec } from './arch-spec';
import { emitDetectHead } from './detect-head';
import { float, GraphBuilder, int, ints } from './graph-builder';
import { createRandom, uniform } from './seeded-random';
import { ultralyticsMetadata } from './ultralytics-metadata';

export interface BuildOptions {
  /** PRNG seed for the weights. Default 0. */
  readonly seed?: number;
  /**
   * BatchNormalization parameters: 'identity' (gamma 1, beta 0, mean 0, var 1, as a fresh torch model) or
   * 'random' (seeded, non-trivial: makes BN folding and gamma-based criteria testable). Default 'identity'.
   */
  readonly batchNorm?: 'identity' | 'random';
}

/** ultralytics' Conv/BN settings: BatchNorm2d(eps=1e-3, momentum=0.03); ONNX momentum is 1 - torch's. */
export const BN_EPSILON = 0.001;
export const BN_MOMENTUM = 0.97;
export const OPSET = 18;
export const IR_VERSION = 8;

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
   * `prefix` (e.g. `model.2.cv1`). Returns the activation output.
   */
  convBnSilu(scope: string, prefix: string, x: string, c1: number, c2: number, k: number, s: number): string {
    const { g } = this;
    const w = this.convWeight(`${prefix}.conv.weight`, c2, c1, k);
    const p = Math.floor(k / 2);
    const conv = g.op1(`${scope}/conv`, 'Conv', [x, w], {
      dilations: ints([1, 1]),
      group: int(1),
      kernel_shape: ints([k, k]),
      pads: ints([p, p, p, p]),
      strides: ints([s, s]),
    });
    const bn = this.bnParams(`${prefix}.bn`, c2);
    const y = g.op1(`${scope}/bn`, 'BatchNormalization', [conv, ...bn], {
      epsilon: float(BN_EPSILON),
      momentum: float(BN_MOMENTUM),
    });
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

function emitC2f(ctx: YoloBuildContext, m: Extract<ModuleSpec, { kind: 'C2f' }>, x: string): string {
  const { g } = ctx;
  const scope = `/model.${m.index}`;
  const prefix = `model.${m.index}`;
  const c = Math.floor(m.c2 * 0.5);
  const y0 = ctx.convBnSilu(`${scope}/cv1`, `${prefix}.cv1`, x, m.c1, 2 * c, 1, 1);
  // Split sizes are a per-module initializer (torch shares one constant between modules): each C2f can then
  // be pruned on its own without touching another module's split.
  const sizes = `${scope}/Split_sizes`;
  g.initializers.set(sizes, {
    name: sizes,
    dataType: DataType.INT64,
    dims: [2],
    data: BigInt64Array.from([BigInt(c), BigInt(c)]),
  });
  const parts = g.op(scope, 'Split', [y0, sizes], { axis: int(1) }, 2);
  const ys = [...parts];
  let last = parts[1]!;
  for (let i = 0; i < m.n; i++) {
    const bs = `${scope}/m.${i}`;
    const bp = `${prefix}.m.${i}`;
    const h = ctx.convBnSilu(`${bs}/cv1`, `${bp}.cv1`, last, c, c, 3, 1);
    const h2 = ctx.convBnSilu(`${bs}/cv2`, `${bp}.cv2`, h, c, c, 3, 1);
    last = m.shortcut ? g.op1(bs, 'Add', [last, h2]) : h2;
    ys.push(last);
  }
  const cat = g.op1(scope, 'Concat', ys, { axis: int(1) });
  return ctx.convBnSilu(`${scope}/cv2`, `${prefix}.cv2`, cat, (2 + m.n) * c, m.c2, 1, 1);
}

function emitSppf(ctx: YoloBuildContext, m: Extract<ModuleSpec, { kind: 'SPPF' }>, x: string): string {
  const { g } = ctx;
  const scope = `/model.${m.index}`;
  const c = Math.floor(m.c1 / 2);
  const y = ctx.convBnSilu(`${scope}/cv1`, `model.${m.index}.cv1`, x, m.c1, c, 1, 1);
  const p = Math.floor(m.k / 2);
  const pool = (input: string, sub: string) =>
    g.op1(`${scope}/${sub}`, 'MaxPool', [input], {
      ceil_mode: int(0),
      dilations: ints([1, 1]),
      kernel_shape: ints([m.k, m.k]),
      pads: ints([p, p, p, p]),
      strides: ints([1, 1]),
    });
  // torch names repeated calls of the same submodule m, m_1, m_2.
  const p1 = pool(y, 'm');
  const p2 = pool(p1, 'm_1');
  const p3 = pool(p2, 'm_2');
  const cat = g.op1(scope, 'Concat', [y, p1, p2, p3], { axis: int(1) });
  return ctx.convBnSilu(`${scope}/cv2`, `model.${m.index}.cv2`, cat, c * 4, m.c2, 1, 1);
}

/** Builds the train-form model. Deterministic: the same spec and seed give byte-identical encodings. */
export function buildYoloV8(spec: YoloV8Spec, options: BuildOptions = {}): Model {
  const ctx = new YoloBuildContext(options.seed ?? 0, options.batchNorm ?? 'identity');
  const { g } = ctx;
  const outputs: string[] = [];
  for (const m of resolveModules(spec)) {
    const scope = `/model.${m.index}`;
    const input = (i: number) => (i < 0 ? 'images' : outputs[i]!);
    let y: string;
    switch (m.kind) {
      case 'Conv':
        y = ctx.convBnSilu(
          scope,
          `model.${m.index}`,
          input(m.index === 0 ? -1 : m.from),
          m.c1,
          m.c2,
          m.k,
          m.s,
        );
        break;
      case 'C2f':
        y = emitC2f(ctx, m, input(m.from));
        break;
      case 'SPPF':
        y = emitSppf(ctx, m, input(m.from));
        break;
      case 'Upsample': {
        const scales = g.constant(scope, DataType.FLOAT, [4], [1, 1, 2, 2]);
        y = g.op1(scope, 'Resize', [input(m.from), '', scales], {
          coordinate_transformation_mode: { type: 'string', value: 'asymmetric' },
          cubic_coeff_a: float(-0.75),
          mode: { type: 'string', value: 'nearest' },
          nearest_mode: { type: 'string', value: 'floor' },
        });
        break;
      }
      case 'Concat':
        y = g.op1(scope, 'Concat', m.from.map(input), { axis: int(1) });
        break;
      case 'Detect':
        y = emitDetectHead(ctx, spec, m, m.from.map(input));
        break;
    }
    outputs.push(y);
  }
  const anchors = anchorCount(spec.imgsz);
  return {
    irVersion: IR_VERSION,
    opsetImports: [{ domain: '', version: OPSET }],
    producerName: 'stageprune',
    producerVersion: '0.1.0',
    domain: '',
    modelVersion: 0,
    docString: '',
    metadataProps: ultralyticsMetadata(spec, { form: 'train' }),
    graph: {
      name: 'main_graph',
      nodes: g.nodes,
      inputs: [
        {
          name: 'images',
          type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [1, 3, spec.imgsz, spec.imgsz] },
        },
      ],
      outputs: [
        {
          name: 'output0',
          type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [1, 4 + spec.nc, anchors] },
        },
      ],
      valueInfo: [],
      initializers: g.initializers,
    },
  };
}
