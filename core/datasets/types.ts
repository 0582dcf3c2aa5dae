/**
 * The in-memory form every dataset format is parsed into. Boxes are absolute pixel corners in the
 * original image (x1 < x2, y1 < y2 once validated); class ids index `Dataset.classNames`.
 */
export interface GtBox {
  readonly classId: number;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  /** COCO crowd region: may match many detections, never counts as a miss. */
  readonly iscrowd?: boolean;
  /** COCO `area` when the source gives one (segment area); otherwise the box area is used. */
  readonly area?: number;
}

export interface DatasetImage {
  /** Stable positive id (COCO image id, or 1-based position in the split). */
  readonly id: number;
  /** Image path relative to the dataset root. */
  readonly file: string;
  /** Label file relative to the dataset root, when labels live in their own file (VOC, YOLO). */
  readonly labelFile?: string;
  readonly width: number;
  readonly height: number;
  readonly boxes: readonly GtBox[];
}

export interface Dataset {
  readonly classNames: readonly string[];
  readonly images: readonly DatasetImage[];
}

/** One object as a label file states it, before validation: class by name or by index. */
export interface RawObject {
  readonly className?: string;
  readonly classIndex?: number;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  readonly iscrowd?: boolean;
  readonly area?: number;
}

/** One image's labels as a label file states them, before validation. */
export interface RawImageLabels {
  readonly id?: number;
  readonly file: string;
  readonly labelFile?: string;
  readonly width: number;
  readonly height: number;
  readonly objects: readonly RawObject[];
}

/** What the validation pass found, per kind; `skipped*` are what the `skip` policy dropped. */
export type LabelIssueKind =
  'degenerate-box' | 'outside-image' | 'unknown-class' | 'invalid-label' | 'unreadable-image';

export interface LabelIssue {
  readonly kind: LabelIssueKind;
  /** The file the issue is in, relative to the dataset root. */
  readonly file: string;
  readonly message: string;
}

export type BadLabelPolicy = 'skip' | 'fail';
