/** Ultralytics' validation defaults (`model.val()`): conf 0.001, IoU 0.7, 300 detections, multi-label. */
export interface NmsOptions {
  /** Keep a (box, class) pair when its score is strictly above this. */
  readonly confThreshold: number;
  /** Suppress a box whose IoU with a kept box of the same class is strictly above this. */
  readonly iouThreshold: number;
  readonly maxDetections: number;
  /** Highest-scoring candidates that enter NMS (ultralytics' max_nms). */
  readonly maxCandidates: number;
  /** One label per box (best class) instead of every class above the threshold. */
  readonly singleLabel: boolean;
}

export const VALIDATION_NMS: NmsOptions = {
  confThreshold: 0.001,
  iouThreshold: 0.7,
  maxDetections: 300,
  maxCandidates: 30000,
  singleLabel: false,
};
