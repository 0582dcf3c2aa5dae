// The engine works on any graph; these helpers only refine frozen reasons and unit names for graphs that
// follow ultralytics' export naming (`/model.22/cv2.0/cv2.0.2/Conv`).

/** The ultralytics module index a node belongs to, from its name; undefined for other naming. */
export function moduleIndexOf(nodeName: string): number | undefined {
  const m = /^\/?model\.(\d+)[/.]/.exec(nodeName);
  return m ? Number(m[1]) : undefined;
}

/** True for nodes of the DFL (distribution focal loss) decoding inside the Detect module. */
export function isDflNode(nodeName: string): boolean {
  return /\/dfl\//.test(nodeName);
}
