import { DatasetError, type DatasetErrorCode } from './errors';
import type {
  BadLabelPolicy,
  Dataset,
  DatasetImage,
  GtBox,
  LabelIssue,
  LabelIssueKind,
  RawImageLabels,
} from './types';

export interface ValidationReport {
  issues: LabelIssue[];
  /** Label entries (boxes, or whole label files that could not be used) the `skip` policy dropped. */
  skippedLabels: number;
  /** Images left out because they could not be read. */
  skippedImages: number;
  /** Issue counts per kind, for summaries. */
  counts: Record<LabelIssueKind, number>;
}

const codeOf: Record<LabelIssueKind, DatasetErrorCode> = {
  'degenerate-box': 'DATASET_BOX_DEGENERATE',
  'outside-image': 'DATASET_BOX_OUTSIDE_IMAGE',
  'unknown-class': 'DATASET_CLASS_UNKNOWN',
  'invalid-label': 'DATASET_LABEL_INVALID',
  'unreadable-image': 'DATASET_IMAGE_CORRUPT',
};

/**
 * Collects issues and applies the policy in one place, so every loader treats bad data the same way:
 * `fail` throws a DatasetError naming the file on the first issue; `skip` drops the offending box (or
 * image) and counts it.
 */
export class LabelValidator {
  private readonly report: ValidationReport = {
    issues: [],
    skippedLabels: 0,
    skippedImages: 0,
    counts: {
      'degenerate-box': 0,
      'outside-image': 0,
      'unknown-class': 0,
      'invalid-label': 0,
      'unreadable-image': 0,
    },
  };

  constructor(readonly policy: BadLabelPolicy) {}

  /** Records an issue; throws under `fail`. `error` keeps the original code (e.g. DATASET_IMAGE_MISSING). */
  flag(kind: LabelIssueKind, file: string, message: string, error?: DatasetError): void {
    if (this.policy === 'fail') throw error ?? new DatasetError(codeOf[kind], file, message);
    this.report.issues.push({ kind, file, message });
    this.report.counts[kind]++;
    if (kind === 'unreadable-image') this.report.skippedImages++;
    else this.report.skippedLabels++;
  }

  /**
   * Turns raw labels into validated boxes. A class is looked up by name in `classNames` (or taken by
   * index when the format numbers classes). Boxes are never clipped: a box outside the image is an
   * annotation error, and clipping would silently change the ground truth.
   */
  validateImage(raw: RawImageLabels, classNames: readonly string[], id: number): DatasetImage {
    const file = raw.labelFile ?? raw.file;
    const boxes: GtBox[] = [];
    raw.objects.forEach((o, i) => {
      const what = `object ${i + 1}`;
      let classId = o.classIndex;
      if (classId === undefined && o.className !== undefined) {
        const found = classNames.indexOf(o.className);
        classId = found >= 0 ? found : undefined;
      }
      if (classId === undefined || classId < 0 || classId >= classNames.length) {
        const label = o.className ?? `class ${o.classIndex}`;
        this.flag(
          'unknown-class',
          file,
          `${what}: class '${label}' is not one of [${classNames.join(', ')}]`,
        );
        return;
      }
      if (!(o.x2 > o.x1 && o.y2 > o.y1)) {
        this.flag('degenerate-box', file, `${what}: degenerate box [${o.x1}, ${o.y1}, ${o.x2}, ${o.y2}]`);
        return;
      }
      if (o.x1 < 0 || o.y1 < 0 || o.x2 > raw.width || o.y2 > raw.height) {
        this.flag(
          'outside-image',
          file,
          `${what}: box [${o.x1}, ${o.y1}, ${o.x2}, ${o.y2}] outside the ${raw.width}x${raw.height} image`,
        );
        return;
      }
      boxes.push({
        classId,
        x1: o.x1,
        y1: o.y1,
        x2: o.x2,
        y2: o.y2,
        ...(o.iscrowd ? { iscrowd: true } : {}),
        ...(o.area === undefined ? {} : { area: o.area }),
      });
    });
    return {
      id: raw.id ?? id,
      file: raw.file,
      ...(raw.labelFile === undefined ? {} : { labelFile: raw.labelFile }),
      width: raw.width,
      height: raw.height,
      boxes,
    };
  }

  result(): ValidationReport {
    return { ...this.report, issues: [...this.report.issues], counts: { ...this.report.counts } };
  }
}

/** Validates a whole parsed dataset (pure path, e.g. COCO JSON already in memory). */
export function validateDataset(
  raws: readonly RawImageLabels[],
  classNames: readonly string[],
  policy: BadLabelPolicy,
): { dataset: Dataset; report: ValidationReport } {
  const v = new LabelValidator(policy);
  const images = raws.map((r, i) => v.validateImage(r, classNames, i + 1));
  return { dataset: { classNames, images }, report: v.result() };
}

/** Class names a VOC dataset states: the distinct object names, sorted, so ids do not depend on the split. */
export function classNamesFromRaw(raws: readonly RawImageLabels[]): string[] {
  const names = new Set<string>();
  for (const r of raws) for (const o of r.objects) if (o.className !== undefined) names.add(o.className);
  return [...names].sort();
}
