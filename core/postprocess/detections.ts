/**
 * Detections of one image in flat typed arrays (no object per box): `boxes` is xyxy with stride 4,
 * `count` entries are valid. Buffers are sized for `capacity` and reused across images.
 */
export interface Detections {
  boxes: Float32Array;
  scores: Float32Array;
  classIds: Int32Array;
  count: number;
}

export function createDetections(capacity: number): Detections {
  return {
    boxes: new Float32Array(capacity * 4),
    scores: new Float32Array(capacity),
    classIds: new Int32Array(capacity),
    count: 0,
  };
}

/** A compact copy holding only the `count` valid entries (the reusable buffers get overwritten). */
export function copyDetections(d: Detections): Detections {
  return {
    boxes: d.boxes.slice(0, d.count * 4),
    scores: d.scores.slice(0, d.count),
    classIds: d.classIds.slice(0, d.count),
    count: d.count,
  };
}
