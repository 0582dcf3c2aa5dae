import type { MetadataProp } from '../onnx/model';
import { archName, type YoloSpec } from './arch-spec';
import { FAMILY_TABLES } from './families';

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
  spec: YoloSpec,
  options: { form: 'train' | 'deploy'; batch?: number; dynamic?: boolean },
): MetadataProp[] {
  return [
    { key: 'description', value: `stageprune ${FAMILY_TABLES[spec.family].displayName(spec.size)} model` },
    { key: 'author', value: 'stageprune' },
    { key: 'stride', value: '32' },
    { key: 'task', value: 'detect' },
    { key: 'batch', value: String(options.batch ?? 1) },
    { key: 'imgsz', value: `[${spec.imgsz}, ${spec.imgsz}]` },
    { key: 'names', value: pythonNamesDict(spec.names) },
    { key: 'channels', value: '3' },
    { key: 'end2end', value: 'False' },
    ...(options.dynamic ? [{ key: 'dynamic', value: 'True' }] : []),
    { key: 'stageprune_arch', value: archName(spec) },
    { key: 'stageprune_form', value: options.form },
  ];
}
