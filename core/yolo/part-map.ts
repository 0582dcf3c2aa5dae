// The one place that says which module belongs to which part. Module indices come from ultralytics'
// naming (`/model.12/cv1/conv/Conv`, `model.12.cv1.conv.weight`); the ranges come from each family's YAML
// (families.ts): the backbone is the YAML's `backbone:` list, the head is the Detect module, the neck is
// everything between.

import { metadataValue, type Model } from '../onnx/model';
import { detectIndexOf, FAMILY_TABLES, YOLO_FAMILIES, type YoloFamily } from './families';

export type Part = 'backbone' | 'neck' | 'head';
export const PARTS: readonly Part[] = ['backbone', 'neck', 'head'];

export interface PartMap {
  /** The family the model was recognised as; undefined when only its Detect index was known. */
  readonly family: YoloFamily | undefined;
  /** Inclusive module ranges. */
  readonly ranges: Readonly<Record<Part, readonly [number, number]>>;
}

export function familyPartMap(family: YoloFamily): PartMap {
  const detect = detectIndexOf(family);
  const end = FAMILY_TABLES[family].backboneEnd;
  return { family, ranges: { backbone: [0, end], neck: [end + 1, detect - 1], head: [detect, detect] } };
}

/** YOLOv8: backbone = modules 0–9, neck = 10–21, head = 22 (Detect). */
export const YOLOV8_STAGE_MAP: PartMap = familyPartMap('yolov8');
/** @deprecated use a model's `partMapOf(model).ranges`; kept for YOLOv8-only callers. */
export const YOLOV8_STAGE_RANGES = YOLOV8_STAGE_MAP.ranges;

const DESCRIPTION_FAMILIES: readonly [RegExp, YoloFamily][] = [
  [/\bYOLOv8[nsmlx]?\b/i, 'yolov8'],
  [/\bYOLO11[nsmlx]?\b/i, 'yolo11'],
  [/\bYOLOv5[nsmlx]?u\b/i, 'yolov5u'],
];

/**
 * The part map of a model: from our `stageprune_arch` metadata, else ultralytics' `description`
 * ("Ultralytics YOLO11n model ..."), else the Detect module's index, which differs per family
 * (v8 22, 11 23, v5u 24). A model none of these recognise gets the YOLOv8 backbone (0–9) and its own
 * Detect index as head.
 */
export function partMapOf(model: Model): PartMap {
  const arch = metadataValue(model, 'stageprune_arch') ?? '';
  const description = metadataValue(model, 'description') ?? '';
  for (const [pattern, family] of DESCRIPTION_FAMILIES)
    if (pattern.test(arch) || pattern.test(description)) return familyPartMap(family);
  let detect = -1;
  for (const node of model.graph.nodes) detect = Math.max(detect, moduleIndexOfNode(node.name) ?? -1);
  const byDetect = YOLO_FAMILIES.find((f) => detectIndexOf(f) === detect);
  if (byDetect) return familyPartMap(byDetect);
  const end = YOLOV8_STAGE_MAP.ranges.backbone[1];
  return {
    family: undefined,
    ranges: { backbone: [0, end], neck: [end + 1, Math.max(end, detect - 1)], head: [detect, detect] },
  };
}

export function partOfModule(index: number, map: PartMap): Part | undefined {
  return PARTS.find((s) => index >= map.ranges[s][0] && index <= map.ranges[s][1]);
}

/** Module index from a node name as the torch exporter writes it (`/model.12/...`), else undefined. */
export function moduleIndexOfNode(nodeName: string): number | undefined {
  const m = /^\/model\.(\d+)(?:\/|$)/.exec(nodeName);
  return m ? Number(m[1]) : undefined;
}

/** Module index from a parameter name (`model.12.cv1.conv.weight`), else undefined. */
export function moduleIndexOfParameter(name: string): number | undefined {
  const m = /^model\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : undefined;
}
