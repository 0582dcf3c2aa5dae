// The YOLO families the builder and the part map know, as ultralytics' YAML files describe them
// (cfg/models/v8/yolov8.yaml, 11/yolo11.yaml, v5/yolov5.yaml with the anchor-free "u" head). One table per
// family: compound scales, the module rows, where the backbone ends and which module is Detect.

export type YoloFamily = 'yolov8' | 'yolo11' | 'yolov5u';
export const YOLO_FAMILIES: readonly YoloFamily[] = ['yolov8', 'yolo11', 'yolov5u'];

export type YoloSize = 'n' | 's' | 'm' | 'l' | 'x';
export const YOLO_SIZES: readonly YoloSize[] = ['n', 's', 'm', 'l', 'x'];

export type ModuleKind = 'Conv' | 'C2f' | 'C3k2' | 'C3' | 'SPPF' | 'C2PSA' | 'Upsample' | 'Concat' | 'Detect';

/** One YAML row: [from, repeats, module, args] with channel args before width scaling. */
export type Row = readonly [
  from: number | readonly number[],
  repeats: number,
  kind: ModuleKind,
  args: readonly (number | boolean)[],
];

export interface FamilyTable {
  /** [depth multiple, width multiple, max channels] per size, from the YAML's `scales`. */
  readonly scales: Readonly<Record<YoloSize, readonly [number, number, number]>>;
  readonly rows: readonly Row[];
  /** Last module index of the backbone (the YAML's `backbone:` list); the neck runs up to Detect. */
  readonly backboneEnd: number;
  /** ultralytics' `Detect.legacy`: v3/v5/v8 heads use plain 3×3 convs in the class branch, newer ones DWConv. */
  readonly legacyDetect: boolean;
  /** How ultralytics writes the architecture in `description` (YOLOv8n, YOLO11n, YOLOv5nu). */
  displayName(size: YoloSize): string;
  /** The name users type (yolov8n, yolo11n, yolov5nu). */
  archName(size: YoloSize): string;
}

const YOLOV8: FamilyTable = {
  scales: {
    n: [0.33, 0.25, 1024],
    s: [0.33, 0.5, 1024],
    m: [0.67, 0.75, 768],
    l: [1.0, 1.0, 512],
    x: [1.0, 1.25, 512],
  },
  rows: [
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
  ],
  backboneEnd: 9,
  legacyDetect: true,
  displayName: (s) => `YOLOv8${s}`,
  archName: (s) => `yolov8${s}`,
};

// C3k2 args: [c2, c3k, e]; m/l/x force c3k on every C3k2 (parse_model).
const YOLO11: FamilyTable = {
  scales: {
    n: [0.5, 0.25, 1024],
    s: [0.5, 0.5, 1024],
    m: [0.5, 1.0, 512],
    l: [1.0, 1.0, 512],
    x: [1.0, 1.5, 512],
  },
  rows: [
    [-1, 1, 'Conv', [64, 3, 2]],
    [-1, 1, 'Conv', [128, 3, 2]],
    [-1, 2, 'C3k2', [256, false, 0.25]],
    [-1, 1, 'Conv', [256, 3, 2]],
    [-1, 2, 'C3k2', [512, false, 0.25]],
    [-1, 1, 'Conv', [512, 3, 2]],
    [-1, 2, 'C3k2', [512, true]],
    [-1, 1, 'Conv', [1024, 3, 2]],
    [-1, 2, 'C3k2', [1024, true]],
    [-1, 1, 'SPPF', [1024, 5]],
    [-1, 2, 'C2PSA', [1024]],
    [-1, 1, 'Upsample', []],
    [[-1, 6], 1, 'Concat', []],
    [-1, 2, 'C3k2', [512, false]],
    [-1, 1, 'Upsample', []],
    [[-1, 4], 1, 'Concat', []],
    [-1, 2, 'C3k2', [256, false]],
    [-1, 1, 'Conv', [256, 3, 2]],
    [[-1, 13], 1, 'Concat', []],
    [-1, 2, 'C3k2', [512, false]],
    [-1, 1, 'Conv', [512, 3, 2]],
    [[-1, 10], 1, 'Concat', []],
    [-1, 2, 'C3k2', [1024, true]],
    [[16, 19, 22], 1, 'Detect', []],
  ],
  backboneEnd: 10,
  legacyDetect: false,
  displayName: (s) => `YOLO11${s}`,
  archName: (s) => `yolo11${s}`,
};

// Conv args: [c2, k, s, p]; C3 args: [c2, shortcut].
const YOLOV5U: FamilyTable = {
  scales: {
    n: [0.33, 0.25, 1024],
    s: [0.33, 0.5, 1024],
    m: [0.67, 0.75, 1024],
    l: [1.0, 1.0, 1024],
    x: [1.33, 1.25, 1024],
  },
  rows: [
    [-1, 1, 'Conv', [64, 6, 2, 2]],
    [-1, 1, 'Conv', [128, 3, 2]],
    [-1, 3, 'C3', [128]],
    [-1, 1, 'Conv', [256, 3, 2]],
    [-1, 6, 'C3', [256]],
    [-1, 1, 'Conv', [512, 3, 2]],
    [-1, 9, 'C3', [512]],
    [-1, 1, 'Conv', [1024, 3, 2]],
    [-1, 3, 'C3', [1024]],
    [-1, 1, 'SPPF', [1024, 5]],
    [-1, 1, 'Conv', [512, 1, 1]],
    [-1, 1, 'Upsample', []],
    [[-1, 6], 1, 'Concat', []],
    [-1, 3, 'C3', [512, false]],
    [-1, 1, 'Conv', [256, 1, 1]],
    [-1, 1, 'Upsample', []],
    [[-1, 4], 1, 'Concat', []],
    [-1, 3, 'C3', [256, false]],
    [-1, 1, 'Conv', [256, 3, 2]],
    [[-1, 14], 1, 'Concat', []],
    [-1, 3, 'C3', [512, false]],
    [-1, 1, 'Conv', [512, 3, 2]],
    [[-1, 10], 1, 'Concat', []],
    [-1, 3, 'C3', [1024, false]],
    [[17, 20, 23], 1, 'Detect', []],
  ],
  backboneEnd: 9,
  legacyDetect: true,
  displayName: (s) => `YOLOv5${s}u`,
  archName: (s) => `yolov5${s}u`,
};

export const FAMILY_TABLES: Readonly<Record<YoloFamily, FamilyTable>> = {
  yolov8: YOLOV8,
  yolo11: YOLO11,
  yolov5u: YOLOV5U,
};

/** The Detect module's index in each family: the last row. */
export function detectIndexOf(family: YoloFamily): number {
  return FAMILY_TABLES[family].rows.length - 1;
}
