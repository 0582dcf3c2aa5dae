// A YOLO architecture (yolov8, yolo11, yolov5u; see families.ts) resolved to concrete channel counts the way
// ultralytics' parse_model does (depth/width multiples, max channels, make_divisible by 8).

import { StagepruneError } from '../errors';
import {
  FAMILY_TABLES,
  YOLO_FAMILIES,
  YOLO_SIZES,
  type ModuleKind,
  type YoloFamily,
  type YoloSize,
} from './families';

/** @deprecated the sizes are the same for every family; kept for YOLOv8-only callers. */
export type YoloV8Size = YoloSize;
export const YOLOV8_SIZES: readonly YoloSize[] = YOLO_SIZES;

export interface YoloSpec {
  readonly family: YoloFamily;
  readonly size: YoloSize;
  readonly nc: number;
  readonly imgsz: number;
  readonly regMax: number;
  readonly depthMultiple: number;
  readonly widthMultiple: number;
  readonly maxChannels: number;
  /** Class names for metadata; defaults to '0'..'nc-1' as ultralytics does for a YAML-built model. */
  readonly names: readonly string[];
}
export type YoloV8Spec = YoloSpec;

export class YoloSpecError extends StagepruneError {
  constructor(message: string) {
    super('YOLO_SPEC_INVALID', message);
  }
}

const ARCH_PATTERNS: readonly [RegExp, YoloFamily][] = [
  [/^yolov8([nsmlx])$/, 'yolov8'],
  [/^yolo11([nsmlx])$/, 'yolo11'],
  [/^yolov5([nsmlx])u$/, 'yolov5u'],
];

/** `yolov8n`, `yolo11s`, `yolov5mu` → family and size. */
export function parseArch(arch: string): { family: YoloFamily; size: YoloSize } {
  for (const [pattern, family] of ARCH_PATTERNS) {
    const m = pattern.exec(arch);
    if (m) return { family, size: m[1] as YoloSize };
  }
  const names = YOLO_FAMILIES.map((f) => FAMILY_TABLES[f].archName('n').replace('n', '{n,s,m,l,x}'));
  throw new YoloSpecError(`unknown architecture '${arch}' (expected ${names.join(', ')})`);
}

export function archName(spec: Pick<YoloSpec, 'family' | 'size'>): string {
  return FAMILY_TABLES[spec.family].archName(spec.size);
}

export function yoloSpec(
  family: YoloFamily,
  size: YoloSize,
  options: { nc?: number; imgsz?: number; names?: readonly string[] } = {},
): YoloSpec {
  const nc = options.nc ?? 80;
  const imgsz = options.imgsz ?? 640;
  if (!Number.isInteger(nc) || nc < 1 || nc > 10000)
    throw new YoloSpecError(`nc must be an integer in 1..10000, got ${nc}`);
  if (!Number.isInteger(imgsz) || imgsz < 32 || imgsz > 8192 || imgsz % 32 !== 0) {
    throw new YoloSpecError(`imgsz must be a multiple of 32 in 32..8192, got ${imgsz}`);
  }
  const names = options.names ?? Array.from({ length: nc }, (_, i) => String(i));
  if (names.length !== nc) throw new YoloSpecError(`${names.length} class names given for nc=${nc}`);
  const [depthMultiple, widthMultiple, maxChannels] = FAMILY_TABLES[family].scales[size];
  return { family, size, nc, imgsz, regMax: 16, depthMultiple, widthMultiple, maxChannels, names };
}

/** `yolo11n` (etc.) → its spec. */
export function specOfArch(
  arch: string,
  options: { nc?: number; imgsz?: number; names?: readonly string[] } = {},
): YoloSpec {
  const { family, size } = parseArch(arch);
  return yoloSpec(family, size, options);
}

export function yolov8Spec(
  size: YoloSize,
  options: { nc?: number; imgsz?: number; names?: readonly string[] } = {},
): YoloSpec {
  return yoloSpec('yolov8', size, options);
}

/** Strides of the three detection levels (P3, P4, P5). */
export const DETECT_STRIDES = [8, 16, 32] as const;

interface Base {
  readonly index: number;
}
interface Single extends Base {
  readonly from: number;
  readonly c1: number;
  readonly c2: number;
}

export type ModuleSpec =
  | (Single & { readonly kind: 'Conv'; readonly k: number; readonly s: number; readonly p: number })
  | (Single & { readonly kind: 'C2f'; readonly n: number; readonly shortcut: boolean })
  /** C2f whose blocks are Bottleneck(e=0.5) or, with c3k, C3k; `e` sets the hidden width. */
  | (Single & { readonly kind: 'C3k2'; readonly n: number; readonly c3k: boolean; readonly e: number })
  | (Single & { readonly kind: 'C3'; readonly n: number; readonly shortcut: boolean })
  | (Single & { readonly kind: 'SPPF'; readonly k: number })
  | (Single & { readonly kind: 'C2PSA'; readonly n: number })
  | (Base & { readonly kind: 'Upsample'; readonly from: number; readonly c2: number })
  | (Base & { readonly kind: 'Concat'; readonly from: readonly number[]; readonly c2: number })
  | (Base & {
      readonly kind: 'Detect';
      readonly from: readonly number[];
      readonly ch: readonly number[];
      readonly nc: number;
      readonly regMax: number;
      /** ultralytics' Detect.legacy: plain 3×3 convs in the class branch (v5/v8) instead of DWConv (11). */
      readonly legacy: boolean;
    });

const makeDivisible = (x: number, divisor: number) => Math.ceil(x / divisor) * divisor;

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The modules with concrete channels, as ultralytics' parse_model computes them. */
export function resolveModules(spec: YoloSpec): ModuleSpec[] {
  const table = FAMILY_TABLES[spec.family];
  const channels: number[] = [];
  const out: ModuleSpec[] = [];
  const abs = (from: number, index: number) => (from < 0 ? index + from : from);
  const chOf = (from: number, index: number) =>
    from === -1 && index === 0 ? 3 : channels[abs(from, index)]!;
  const width = (c: number) => makeDivisible(Math.min(c, spec.maxChannels) * spec.widthMultiple, 8);
  const bigScale = spec.size === 'm' || spec.size === 'l' || spec.size === 'x';
  table.rows.forEach(([from, repeats, kind, args], index) => {
    const n = repeats > 1 ? Math.max(roundHalfEven(repeats * spec.depthMultiple), 1) : repeats;
    const m = resolveRow(kind, from, args, n);
    channels.push(m.kind === 'Detect' ? 0 : m.c2);
    out.push(m);

    function resolveRow(
      k: ModuleKind,
      f: number | readonly number[],
      a: readonly (number | boolean)[],
      depth: number,
    ): ModuleSpec {
      if (k === 'Concat' || k === 'Detect') {
        const froms = (f as readonly number[]).map((x) => abs(x, index));
        const ch = froms.map((x) => channels[x]!);
        return k === 'Concat'
          ? { index, kind: k, from: froms, c2: ch.reduce((p, q) => p + q, 0) }
          : { index, kind: k, from: froms, ch, nc: spec.nc, regMax: spec.regMax, legacy: table.legacyDetect };
      }
      const fi = abs(f as number, index);
      const c1 = chOf(f as number, index);
      if (k === 'Upsample') return { index, kind: k, from: fi, c2: c1 };
      const c2 = width(a[0] as number);
      const base = { index, from: fi, c1, c2 };
      switch (k) {
        case 'Conv': {
          const kk = a[1] as number;
          return {
            ...base,
            kind: k,
            k: kk,
            s: a[2] as number,
            p: (a[3] as number | undefined) ?? Math.floor(kk / 2),
          };
        }
        case 'C2f':
          return { ...base, kind: k, n: depth, shortcut: a[1] === true };
        case 'C3k2':
          return {
            ...base,
            kind: k,
            n: depth,
            c3k: bigScale || a[1] === true,
            e: (a[2] as number | undefined) ?? 0.5,
          };
        case 'C3':
          return { ...base, kind: k, n: depth, shortcut: a[1] !== false };
        case 'SPPF':
          return { ...base, kind: k, k: a[1] as number };
        case 'C2PSA':
          return { ...base, kind: k, n: depth };
      }
    }
  });
  return out;
}

/** Number of anchor points for a square input: sum over levels of (imgsz / stride)^2. */
export function anchorCount(imgsz: number): number {
  return DETECT_STRIDES.reduce((a, s) => a + (imgsz / s) ** 2, 0);
}
