// The two models the GPU check measures: the committed BCCD base model and a −50% FLOPs pruned one (pruned
// once by prepare-models.ts and committed, so part (a) runs with Python only), and their dynamic-batch forms
// for onnxruntime (the committed files fix the batch at 1; latency at batch 8 and 32 needs it dynamic).
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Model } from '../../core/onnx/model';
import { metadataValue } from '../../core/onnx';
import { exportDeployForm } from '../../core/export';
import { pruneModel } from '../../core/pruning/prune-model';
import { buildYolo, loadWeightsByName, yolov8Spec } from '../../core/yolo';
import { modelMetadata } from '../../runtime/model-metadata';
import { repoRoot } from '../../runtime/paths';

export const GPU_CHECK_DIR = path.join(repoRoot, 'bench', 'gpu-check');
export const BASE_MODEL = path.join(repoRoot, 'models', 'yolov8n-bccd.onnx');
export const PRUNED_MODEL = path.join(GPU_CHECK_DIR, 'yolov8n-bccd-flops50.onnx');
export const PRUNED_PLAN = path.join(GPU_CHECK_DIR, 'yolov8n-bccd-flops50.plan.json');
export const MANIFEST = path.join(GPU_CHECK_DIR, 'models.json');
export const IMGSZ = 416;
/**
 * Staged l1 ratios whose channel counts (rounded to 8, which tensor cores like) remove 50.3% of the base
 * model's FLOPs; found by trying a few (uniform 0.31 rounds to −47.5%, 0.32 to −56.7%).
 */
export const PRUNE_PLAN = { stages: { backbone: 0.35, neck: 0.3, head: 0.3 }, criterion: 'l1', round_to: 8 };

export const sha256File = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** The repository-relative name the JSON results use (the machines differ in where the clone lies). */
export const repoRelative = (file: string) => path.relative(repoRoot, file);

/**
 * The same trained yolov8n with a dynamic batch: built by core/yolo with `dynamic: true` (the Detect head
 * reads the batch from Shape ops instead of baking 1), every weight copied by name from `trained`.
 */
export function withDynamicBatch(trained: Model, file: string): Model {
  const names = modelMetadata(file).names ?? undefined;
  const nc = names?.length ?? 3;
  if (metadataValue(trained, 'stageprune_arch') !== 'yolov8n')
    throw new Error(`${file}: expected a yolov8n built by stageprune (metadata stageprune_arch)`);
  const built = buildYolo(yolov8Spec('n', { nc, imgsz: IMGSZ, ...(names ? { names } : {}) }), {
    dynamic: true,
  });
  const { model, report } = loadWeightsByName(built, trained);
  if (report.missing.length > 0 || report.shapeMismatch.length > 0) {
    throw new Error(
      `${file}: weights do not fit the dynamic yolov8n: missing ${report.missing.slice(0, 3).join(', ')}, ` +
        `shape mismatch ${report.shapeMismatch
          .map((m) => m.name)
          .slice(0, 3)
          .join(', ')}`,
    );
  }
  return { ...model, metadataProps: trained.metadataProps };
}

/** The committed plan (explicit channel lists) applied to `model`: the pruned model, any input form. */
export async function applyCommittedPlan(model: Model): Promise<Model> {
  const plan: unknown = JSON.parse(fs.readFileSync(PRUNED_PLAN, 'utf8'));
  return (await pruneModel(model, plan)).model;
}

/** Deploy form (BN folded), fp32 or fp16. */
export function deployForm(model: Model, fp16: boolean): Model {
  return exportDeployForm(model, { fp16 }).model;
}
