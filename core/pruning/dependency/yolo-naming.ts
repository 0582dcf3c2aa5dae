// The engine works on any graph; this only refines frozen reasons for graphs that follow ultralytics'
// export naming (`/model.22/dfl/conv/Conv`). Module indices come from core/yolo/part-map.

/** True for nodes of the DFL (distribution focal loss) decoding inside the Detect module. */
export function isDflNode(nodeName: string): boolean {
  return /\/dfl\//.test(nodeName);
}
