import type { MetadataProp } from '../onnx/model';
import type { YoloV8Spec } from './arch-spec';

/** A Python string literal: ultralytics reads `names` and `imgsz` back with a Python literal parser. */
export function pythonString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

export function pythonNamesDict(names: readonly string[]): string {
  return `{${names.map((n, i) => `${i}: ${pythonString(n)}`).join(', ')}}`;
}

/**
 * The metadata_props ultralytics writes into its ONNX exports (and AutoBackend reads: stride, task, batch,
 * imgsz, names, channels), plus `stageprune_form` = train | deploy. No date: builds stay byte-reproducible.
 */
export function ultralyticsMetadata(
  spec: YoloV8Spec,
  options: { form: 'train' | 'deploy'; batch?: number },
): MetadataProp[] {
  return [
    { key: 'description', value: `stageprune YOLOv8${spec.size} model` },
    { key: 'author', value: 'stageprune' },
    { key: 'stride', value: '32' },
    { key: 'task', value: 'detect' },
    { key: 'batch', value: String(options.batch ?? 1) },
    { key: 'imgsz', value: `[${spec.imgsz}, ${spec.imgsz}]` },
    { key: 'names', value: pythonNamesDict(spec.names) },
    { key: 'channels', value: '3' },
    { key: 'end2end', value: 'False' },
    { key: 'stageprune_arch', value: `yolov8${spec.size}` },
    { key: 'stageprune_form', value: options.form },
  ];
}
