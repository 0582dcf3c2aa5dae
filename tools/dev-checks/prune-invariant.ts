// Dev check (not CI): prune a model file with a plan, print params/FLOPs per stage before and after and the
// correctness invariant's max relative difference on one BCCD image (or random pixels).
//   npx tsx tools/dev-checks/prune-invariant.ts MODEL.onnx '{"stages":{"backbone":0.3,"neck":0.2,"head":0.1}}' [IMAGE]

import { computeStats } from '../../core/stats';
import { pruneModel } from '../../core/pruning/prune-model';
import { readModelFile } from '../../runtime/onnx-file';
import { letterboxImage } from '../../runtime/pruning/calibration-images';
import { checkInvariant, randomFeeds } from '../../test/support/pruning/invariant';

async function run(): Promise<void> {
  const [file, planText, image] = process.argv.slice(2);
  if (!file || !planText) throw new Error('usage: prune-invariant.ts MODEL.onnx PLAN_JSON [IMAGE]');
  const model = readModelFile(file);
  const t = model.graph.inputs[0]!.type;
  const size = t?.kind === 'tensor' && typeof t.shape?.[2] === 'number' ? t.shape[2] : 640;
  const start = performance.now();
  const result = await pruneModel(model, JSON.parse(planText));
  const pruneMs = performance.now() - start;
  const feeds = image
    ? { [model.graph.inputs[0]!.name]: await letterboxImage(image, size) }
    : randomFeeds(model, size);
  const invariant = await checkInvariant(model, result.model, result.applied, feeds);
  // Deploy form on both sides (BN folded), as `stageprune prune` reports them.
  const before = computeStats(model, { form: 'deploy' });
  const after = computeStats(result.model, { form: 'deploy' });
  const stage = (s: typeof before) =>
    Object.fromEntries(
      Object.entries(s.stages).map(([k, v]) => [
        k,
        { params: v.params, gflops: +(v.flops / 1e9).toFixed(3) },
      ]),
    );
  console.log(
    JSON.stringify(
      {
        file,
        pruneMs: Math.round(pruneMs),
        groups: result.groups,
        removedChannels: result.removedChannels,
        before: { params: before.params, gflops: +(before.flops / 1e9).toFixed(3), stages: stage(before) },
        after: { params: after.params, gflops: +(after.flops / 1e9).toFixed(3), stages: stage(after) },
        invariant: {
          maxRelDiff: invariant.maxRelDiff,
          compared: invariant.compared.length,
          input: image ?? 'random',
        },
      },
      null,
      1,
    ),
  );
}

run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
