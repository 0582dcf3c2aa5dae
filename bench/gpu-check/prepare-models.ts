/**
 * Writes the GPU check's pruned model, its plan and the manifest (bench/gpu-check/models.json: file,
 * sha256, params and FLOPs at 416 of both models, the FLOPs factor). Run once; the outputs are committed,
 * because part (a) of bench/gpu-check.sh runs where there is no Node.
 *
 *   npx tsx bench/gpu-check/prepare-models.ts
 */
import fs from 'node:fs';
import * as prettier from 'prettier';
import { computeStats } from '../../core/stats';
import { pruneModel } from '../../core/pruning/prune-model';
import { readModelFile } from '../../runtime/onnx-file';
import { encodeLoadable } from '../../runtime/pruning/loadable';
import {
  BASE_MODEL,
  IMGSZ,
  MANIFEST,
  PRUNED_MODEL,
  PRUNED_PLAN,
  PRUNE_PLAN,
  repoRelative,
  sha256File,
} from './models';

async function main(): Promise<void> {
  const base = readModelFile(BASE_MODEL);
  const result = await pruneModel(base, PRUNE_PLAN);
  fs.writeFileSync(PRUNED_MODEL, await encodeLoadable(result.model));
  // Formatted as the repository's prettier check wants its JSON, so the committed files pass it as written.
  const writeJson = async (file: string, value: unknown) => {
    const options = (await prettier.resolveConfig(file)) ?? {};
    fs.writeFileSync(file, await prettier.format(JSON.stringify(value), { ...options, parser: 'json' }));
  };
  await writeJson(PRUNED_PLAN, result.applied);
  const entry = (file: string) => {
    // Deploy form (BN folded), as the models are timed: the FLOPs factor is that of what runs.
    const stats = computeStats(readModelFile(file), { imgsz: IMGSZ, form: 'deploy' });
    return { file: repoRelative(file), sha256: sha256File(file), params: stats.params, flops: stats.flops };
  };
  const b = entry(BASE_MODEL);
  const p = entry(PRUNED_MODEL);
  const manifest = {
    imgsz: IMGSZ,
    plan: PRUNE_PLAN,
    base: b,
    pruned: p,
    flops_factor: b.flops / p.flops,
  };
  await writeJson(MANIFEST, manifest);
  console.log(
    `wrote ${repoRelative(PRUNED_MODEL)}: FLOPs ${(p.flops / 1e9).toFixed(3)}G of ${(b.flops / 1e9).toFixed(3)}G ` +
      `(−${(100 * (1 - p.flops / b.flops)).toFixed(1)}%), params ${p.params} of ${b.params} (deploy form, BN folded)`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
