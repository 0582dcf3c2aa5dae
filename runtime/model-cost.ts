import { computeStats } from '../core/stats';
import { readModelFile } from './onnx-file';

/**
 * Parameters and FLOPs (per image, at `imgsz`) of an ONNX file through core/stats, ultralytics'
 * conventions, in the deploy form (BN folded, as onnxruntime runs it and as `model export` ships it), so
 * the figures of a train-form and a pruned or exported model compare. A graph core/stats cannot cost (an op
 * without a shape rule) gives nulls and a note rather than failing the latency benchmark.
 */
export function modelCost(
  modelPath: string,
  imgsz: number,
): { params: number | null; flops: number | null; note?: string } {
  try {
    const s = computeStats(readModelFile(modelPath), { imgsz, form: 'deploy' });
    return { params: s.params, flops: s.flops };
  } catch (err) {
    return { params: null, flops: null, note: `stats unavailable: ${(err as Error).message}` };
  }
}
