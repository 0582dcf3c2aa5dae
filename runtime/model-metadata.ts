import { parseUltralyticsNames } from '../core/datasets';
import { metadataValue } from '../core/onnx/model';
import { readModelFile } from './onnx-file';

/** The ultralytics metadata evaluation and benchmarks use: class names and the export's input size. */
export function modelMetadata(modelPath: string): { names: string[] | null; imgsz: number | null } {
  try {
    const model = readModelFile(modelPath);
    const names = metadataValue(model, 'names');
    const imgsz = /^\[?\s*(\d+)/.exec(metadataValue(model, 'imgsz') ?? '');
    return { names: names ? parseUltralyticsNames(names) : null, imgsz: imgsz ? Number(imgsz[1]) : null };
  } catch {
    return { names: null, imgsz: null }; // onnxruntime reports unreadable models itself, with its own message
  }
}
