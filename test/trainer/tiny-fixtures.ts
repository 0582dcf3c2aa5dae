import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeModel } from '../../core/onnx';
import { buildYoloV8, yoloSpec, type YoloFamily } from '../../core/yolo';
import { bccdRoot as bccdDatasetRoot } from '../../runtime/datasets';
import { venvPython } from '../../runtime/paths';
import type { TrainerJob } from '../../runtime/trainer-process';

export const bccdRoot = bccdDatasetRoot();
/** The evaluator's (and the trainer's default) VOC class order: sorted names. */
export const bccdNames = ['Platelets', 'RBC', 'WBC'];

/** Why the trainer tests cannot run here, or undefined when they can. */
export function trainerSkipReason(): string | undefined {
  if (!existsSync(venvPython())) return `no trainer venv at ${venvPython()} (run infra/setup.sh)`;
  if (!existsSync(path.join(bccdRoot, 'Annotations'))) return `BCCD dataset not found at ${bccdRoot}`;
  return undefined;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `stageprune-${prefix}-`));
}

/** A tiny train-form YOLO (YOLOv8 unless `family` says; width `width`, nc classes) from our builder, written to dir. */
export function tinyModel(
  dir: string,
  options: { width?: number; nc?: number; seed?: number; name?: string; family?: YoloFamily } = {},
): string {
  const spec = { ...yoloSpec(options.family ?? 'yolov8', 'n', { nc: options.nc ?? 3, imgsz: 64 }), widthMultiple: options.width ?? 0.125 };
  const file = path.join(dir, options.name ?? 'tiny.onnx');
  writeFileSync(file, encodeModel(buildYoloV8(spec, { seed: options.seed ?? 0 })));
  return file;
}

/** A few-step CPU job on 4 BCCD images at 64 px; override anything. */
export function tinyJob(dir: string, model: string, overrides: Partial<TrainerJob> = {}): TrainerJob {
  return {
    mode: 'train',
    model,
    out: path.join(dir, 'out'),
    data: { format: 'voc', root: bccdRoot, splits: ['train'], names: bccdNames, limit: 4 },
    imgsz: 64,
    epochs: 8,
    batch: 4,
    seed: 0,
    device: 'cpu',
    threads: 1,
    log_every: 1,
    checkpoint_every: 1000,
    ema: false,
    augment: { enabled: false },
    optimizer: { warmup_epochs: 0, nbs: 4, lr0: 0.01 },
    ...overrides,
  };
}
