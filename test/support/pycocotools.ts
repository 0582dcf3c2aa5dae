import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DatasetImage } from '../../core/datasets';
import { detectionsToCoco, groundTruthToCoco } from '../../core/metrics';
import type { Detections } from '../../core/postprocess';
import { venvPython } from '../../runtime/paths';

export interface PycocotoolsResult {
  stats: number[];
  per_class_ap: (number | null)[];
  per_class_ap50: (number | null)[];
  seconds: number;
}

/** Runs pycocotools (project venv) on the COCO JSON export of ground truth and detections. */
export function runPycocotools(
  images: readonly DatasetImage[],
  classNames: readonly string[],
  dets: readonly Detections[],
): PycocotoolsResult {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stageprune-coco-'));
  try {
    const gt = path.join(dir, 'gt.json');
    const dt = path.join(dir, 'dt.json');
    writeFileSync(gt, JSON.stringify(groundTruthToCoco(images, classNames)));
    writeFileSync(dt, JSON.stringify(detectionsToCoco(images, dets)));
    const out = execFileSync(venvPython(), [path.join(__dirname, 'pycocotools-eval.py'), gt, dt], {
      encoding: 'utf8',
    });
    return JSON.parse(out) as PycocotoolsResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
