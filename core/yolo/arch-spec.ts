// YOLOv8 architecture as ultralytics' yolov8.yaml describes it, resolved to concrete channel counts the way
// ultralytics' parse_model does (depth/width multiples, max channels, make_divisible by 8).

import { StagepruneError } from '../errors';

export type YoloV8Size = 'n' | 's' | 'm' | 'l' | 'x';
export const YOLOV8_SIZES: readonly YoloV8Size[] = ['n', 's', 'm', 'l', 'x'];

/** [depth multiple, width multiple, max channels], from yolov8.yaml `scales`. */
export const YOLOV8_SCALES: Readonly<Record<YoloV8Size, readonly [number, number, number]>> = {
  n: [0.33, 0.25, 1024],
  s: [0.33, 0.5, 1024],
  m: [0.67, 0.75, 768],
  l: [1.0, 1.0, 512],
  x: [1.0, 1.25, 512],
};

export interface YoloV8Spec {
  readonly size: YoloV8Size;
  readonly nc: number;
  readonly imgsz: number;
  readonly regMax: number;
  readonly depthMultiple: number;
  readonly widthMultiple: number;
  readonly maxChannels: number;
  /** Class names for metadata; defaults to '0'..'nc-1' as ultralytics does for a YAML-built model. */
  readonly names: readonly string[];
}

export class YoloSpecError extends StagepruneError {
  constructor(message: string) {
    super('YOLO_SPEC_INVALID', message);
  }
}

export function parseArch(arch: string): YoloV8Size {
  const m = /^yolov8([nsmlx])$/.exec(arch);
  if (!m)
    throw new YoloSpecError(
      `unknown architecture '${arch}' (expected yolov8n, yolov8s, yolov8m, yolov8l or yolov8x)`,
    );
  return m[1] as YoloV8Size;
}

export function yolov8Spec(
  size: YoloV8Size,
  options: { nc?: number; imgsz?: number; names?: readonly string[] } = {},
): YoloV8Spec {
  const nc = options.nc ?? 80;
  const imgsz = options.imgsz ?? 640;
  if (!Number.isInteger(nc) || nc < 1 || nc > 10000)
    throw new YoloSpecError(`nc must be an integer in 1..10000, got ${nc}`);
  if (!Number.isInteger(imgsz) || imgsz < 32 || imgsz > 8192 || imgsz % 32 !== 0) {
    throw new YoloSpecError(`imgsz must be a multiple of 32 in 32..8192, got ${imgsz}`);
  }
  const names = options.names ?? Array.from({ length: nc }, (_, i) => String(i));
  if (names.length !== nc) throw new YoloSpecError(`${names.length} class names given for nc=${nc}`);
  const [depthMultiple, widthMultiple, maxChannels] = YOLOV8_SCALES[size];
  return { size, nc, imgsz, regMax: 16, depthMultiple, widthMultiple, maxChannels, names };
}

/** Strides of the three detection levels (P3, P4, P5). */
export const DETECT_STRIDES = [8, 16, 32] as const;

export type ModuleSpec =
  | {
      readonly index: number;
      readonly kind: 'Conv';
      readonly from: number;
      readonly c1: number;
      readonly c2: number;
      readonly k: number;
      readonly s: number;
    }
  | {
      readonly index: number;
      readonly kind: 'C2f';
      readonly from: number;
      readonly c1: number;
      readonly c2: number;
      readonly n: number;
      readonly shortcut: boolean;
    }
  | {
      readonly index: number;
      readonly kind: 'SPPF';
      readonly from: number;
      readonly c1: number;
      readonly c2: number;
      readonly k: number;
    }
  | { readonly index: number; readonly kind: 'Upsample'; readonly from: number; readonly c2: number }
  | { readonly index: number; readonly kind: 'Concat'; readonly from: readonly number[]; readonly c2: number }
  | {
      readonly index: number;
      readonly kind: 'Detect';
      readonly from: readonly number[];
      readonly ch: readonly number[];
      readonly nc: number;
      readonly regMax: number;
    };

type Row = readonly [
  from: number | readonly number[],
  repeats: number,
  kind: ModuleSpec['kind'],
  args: readonly (number | boolean)[],
];

// yolov8.yaml, backbone then head. Channel args are before width scaling.
const YOLOV8_YAML: readonly Row[] = [
  [-1, 1, 'Conv', [64, 3, 2]],
  [-1, 1, 'Conv', [128, 3, 2]],
  [-1, 3, 'C2f', [128, true]],
  [-1, 1, 'Conv', [256, 3, 2]],
  [-1, 6, 'C2f', [256, true]],
  [-1, 1, 'Conv', [512, 3, 2]],
  [-1, 6, 'C2f', [512, true]],
  [-1, 1, 'Conv', [1024, 3, 2]],
  [-1, 3, 'C2f', [1024, true]],
  [-1, 1, 'SPPF', [1024, 5]],
  [-1, 1, 'Upsample', []],
  [[-1, 6], 1, 'Concat', []],
  [-1, 3, 'C2f', [512]],
  [-1, 1, 'Upsample', []],
  [[-1, 4], 1, 'Concat', []],
  [-1, 3, 'C2f', [256]],
  [-1, 1, 'Conv', [256, 3, 2]],
  [[-1, 12], 1, 'Concat', []],
  [-1, 3, 'C2f', [512]],
  [-1, 1, 'Conv', [512, 3, 2]],
  [[-1, 9], 1, 'Concat', []],
  [-1, 3, 'C2f', [1024]],
  [[15, 18, 21], 1, 'Detect', []],
];

const makeDivisible = (x: number, divisor: number) => Math.ceil(x / divisor) * divisor;

/** The 23 modules with concrete channels, as ultralytics' parse_model computes them. */
export function resolveModules(spec: YoloV8Spec): ModuleSpec[] {
  const channels: number[] = [];
  const out: ModuleSpec[] = [];
  const abs = (from: number, index: number) => (from < 0 ? index + from : from);
  const chOf = (from: number, index: number) =>
    from === -1 && index === 0 ? 3 : channels[abs(from, index)]!;
  const width = (c: number) => makeDivisible(Math.min(c, spec.maxChannels) * spec.widthMultiple, 8);
  YOLOV8_YAML.forEach(([from, repeats, kind, args], index) => {
    const n = repeats > 1 ? Math.max(Math.round(repeats * spec.depthMultiple), 1) : repeats;
    let m: ModuleSpec;
    if (kind === 'Concat' || kind === 'Detect') {
      const froms = (from as readonly number[]).map((f) => abs(f, index));
      const ch = froms.map((f) => channels[f]!);
      m =
        kind === 'Concat'
          ? { index, kind, from: froms, c2: ch.reduce((a, b) => a + b, 0) }
          : { index, kind, from: froms, ch, nc: spec.nc, regMax: spec.regMax };
    } else {
      const f = abs(from as number, index);
      const c1 = chOf(from as number, index);
      if (kind === 'Upsample') m = { index, kind, from: f, c2: c1 };
      else if (kind === 'Conv')
        m = {
          index,
          kind,
          from: f,
          c1,
          c2: width(args[0] as number),
          k: args[1] as number,
          s: args[2] as number,
        };
      else if (kind === 'C2f')
        m = { index, kind, from: f, c1, c2: width(args[0] as number), n, shortcut: args[1] === true };
      else m = { index, kind: 'SPPF', from: f, c1, c2: width(args[0] as number), k: args[1] as number };
    }
    channels.push(m.kind === 'Detect' ? 0 : m.c2);
    out.push(m);
  });
  return out;
}

/** Number of anchor points for a square input: sum over levels of (imgsz / stride)^2. */
export function anchorCount(imgsz: number): number {
  return DETECT_STRIDES.reduce((a, s) => a + (imgsz / s) ** 2, 0);
}
