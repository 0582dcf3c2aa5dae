import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { venvPython } from '../../runtime/paths';

/** Writes a test ONNX model with the project venv (see make-detector.py). */
export function makeDetector(
  out: string,
  options: {
    imgsz: number;
    nc: number;
    boxes?: number[][];
    kind?: 'oracle' | 'classifier';
    fixedBatch?: number;
    anchors?: number;
    /** ultralytics `names` metadata to write into the model. */
    names?: string[];
  },
): string {
  execFileSync(venvPython(), [
    path.join(__dirname, 'make-detector.py'),
    out,
    '--imgsz',
    String(options.imgsz),
    '--nc',
    String(options.nc),
    '--boxes',
    JSON.stringify(options.boxes ?? []),
    '--kind',
    options.kind ?? 'oracle',
    '--fixed-batch',
    String(options.fixedBatch ?? 0),
    '--names',
    (options.names ?? []).join(','),
    '--anchors',
    String(options.anchors ?? 0),
  ]);
  return out;
}
