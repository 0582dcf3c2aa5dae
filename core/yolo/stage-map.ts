// The one place that says which module belongs to which stage. Module indices come from ultralytics'
// naming (`/model.12/cv1/conv/Conv`, `model.12.cv1.conv.weight`).

export type Stage = 'backbone' | 'neck' | 'head';
export const STAGES: readonly Stage[] = ['backbone', 'neck', 'head'];

/** YOLOv8: backbone = modules 0–9, neck = 10–21, head = 22 (Detect). Inclusive ranges. */
export const YOLOV8_STAGE_RANGES: Readonly<Record<Stage, readonly [number, number]>> = {
  backbone: [0, 9],
  neck: [10, 21],
  head: [22, 22],
};

export function stageOfModule(index: number): Stage | undefined {
  return STAGES.find((s) => index >= YOLOV8_STAGE_RANGES[s][0] && index <= YOLOV8_STAGE_RANGES[s][1]);
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
