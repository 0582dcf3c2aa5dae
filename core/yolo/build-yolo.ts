// Builds the train-form ONNX of a YOLO model (yolov8, yolo11, yolov5u): Conv (no bias) → BatchNormalization →
// SiLU (Sigmoid, Mul), with the node, tensor and initializer names and decoded output of ultralytics' own
// export (ultralytics 8.4, torch ONNX exporter, opset 18, simplify=False). Folding BN (core/export) turns it
// into the same graph ultralytics exports.

import { DataType } from '../onnx/data-type';
import type { Dim, Model } from '../onnx/model';
import { anchorCount, resolveModules, type YoloSpec } from './arch-spec';
import { emitC2f, emitC2psa, emitC3, emitSppf } from './blocks';
import { YoloBuildContext } from './build-context';
import { emitDetectHead } from './detect-head';
import { float } from './graph-builder';
import { ultralyticsMetadata } from './ultralytics-metadata';

export { BN_EPSILON, BN_MOMENTUM } from './build-context';

export interface BuildOptions {
  /** PRNG seed for the weights. Default 0. */
  readonly seed?: number;
  /**
   * BatchNormalization parameters: 'identity' (gamma 1, beta 0, mean 0, var 1, as a fresh torch model) or
   * 'random' (seeded, non-trivial: makes BN folding and gamma-based criteria testable). Default 'identity'.
   */
  readonly batchNorm?: 'identity' | 'random';
  /**
   * Dynamic batch and image size, as ultralytics' `export(dynamic=True)`: the input is
   * [batch, 3, height, width], and the Detect head (anchors, flattening) and attention views are computed
   * from Shape ops at run time. Default false (everything baked for batch 1 at `imgsz`).
   */
  readonly dynamic?: boolean;
}

export const OPSET = 18;
export const IR_VERSION = 8;

/** Builds the train-form model. Deterministic: the same spec and seed give byte-identical encodings. */
export function buildYolo(spec: YoloSpec, options: BuildOptions = {}): Model {
  const ctx = new YoloBuildContext(options.seed ?? 0, options.batchNorm ?? 'identity');
  const dynamic = options.dynamic ?? false;
  const { g } = ctx;
  const outputs: string[] = [];
  // Input stride of each module's output, for the spatial size attention bakes into its views.
  const strides: number[] = [];
  for (const m of resolveModules(spec)) {
    const scope = `/model.${m.index}`;
    const input = (i: number) => (i < 0 ? 'images' : outputs[i]!);
    const strideOf = (i: number) => (i < 0 ? 1 : strides[i]!);
    let y: string;
    let stride: number;
    switch (m.kind) {
      case 'Conv': {
        const from = m.index === 0 ? -1 : m.from;
        y = ctx.convBnSilu(scope, `model.${m.index}`, input(from), m.c1, m.c2, m.k, m.s, { p: m.p });
        stride = strideOf(from) * m.s;
        break;
      }
      case 'C2f':
      case 'C3k2':
        y = emitC2f(ctx, m, input(m.from));
        stride = strideOf(m.from);
        break;
      case 'C3':
        y = emitC3(ctx, m, input(m.from));
        stride = strideOf(m.from);
        break;
      case 'SPPF':
        y = emitSppf(ctx, m, input(m.from));
        stride = strideOf(m.from);
        break;
      case 'C2PSA': {
        stride = strideOf(m.from);
        const side = spec.imgsz / stride;
        y = emitC2psa(ctx, m, input(m.from), [side, side], dynamic);
        break;
      }
      case 'Upsample': {
        const scales = g.constant(scope, DataType.FLOAT, [4], [1, 1, 2, 2]);
        y = g.op1(scope, 'Resize', [input(m.from), '', scales], {
          coordinate_transformation_mode: { type: 'string', value: 'asymmetric' },
          cubic_coeff_a: float(-0.75),
          mode: { type: 'string', value: 'nearest' },
          nearest_mode: { type: 'string', value: 'floor' },
        });
        stride = strideOf(m.from) / 2;
        break;
      }
      case 'Concat':
        y = g.op1(scope, 'Concat', m.from.map(input), { axis: { type: 'int', value: 1 } });
        stride = strideOf(m.from[0]!);
        break;
      case 'Detect':
        y = emitDetectHead(ctx, spec, m, m.from.map(input), { dynamic });
        stride = 0;
        break;
    }
    outputs.push(y);
    strides.push(stride);
  }
  const anchors = anchorCount(spec.imgsz);
  const inputShape: Dim[] = dynamic ? ['batch', 3, 'height', 'width'] : [1, 3, spec.imgsz, spec.imgsz];
  const outputShape: Dim[] = dynamic ? ['batch', 4 + spec.nc, 'anchors'] : [1, 4 + spec.nc, anchors];
  return {
    irVersion: IR_VERSION,
    opsetImports: [{ domain: '', version: OPSET }],
    producerName: 'stageprune',
    producerVersion: '0.1.0',
    domain: '',
    modelVersion: 0,
    docString: '',
    metadataProps: ultralyticsMetadata(spec, { form: 'train', dynamic }),
    graph: {
      name: 'main_graph',
      nodes: g.nodes,
      inputs: [{ name: 'images', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: inputShape } }],
      outputs: [{ name: 'output0', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: outputShape } }],
      valueInfo: [],
      initializers: g.initializers,
    },
  };
}

/** The YOLOv8 entry point kept for its many callers; `buildYolo` builds every family. */
export const buildYoloV8 = buildYolo;
