// What one AMC episode costs on this machine, phase by phase, in one process with one onnxruntime thread (as
// a cpu worker runs it): prune (the engine on the decoded model), stats, BN re-estimation, writing the model,
// evaluation (session creation + inference + NMS + metric), for a few reward-subset sizes, with and without BN
// re-estimation, and with onnxruntime's `basic` and `all` graph optimisation (all, basic, all again: the
// machine's load drifts, so `basic` is bracketed by two `all` runs). Plans come from random
// constrained rollouts at −50% FLOPs (module units), the same for every setting.
// Run: npx tsx bench/amc-episode-cost.ts [--episodes 6] [--granularity module]

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decodeModel } from '../core/onnx';
import { unitPlan } from '../core/planning/unit-plans';
import { buildSearchSpace, rollout, SearchRandom } from '../core/search/amc';
import { EpisodeEvaluator } from '../runtime/search/episode-evaluator';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      episodes: { type: 'string', default: '6' },
      granularity: { type: 'string', default: 'module' },
    },
  });
  const n = Number(values.episodes);
  const granularity = values.granularity as 'module' | 'group';
  const model = decodeModel(fs.readFileSync('models/yolov8n-bccd.onnx'));
  const space = buildSearchSpace(model, { granularity, roundTo: 8, imgsz: 416 });
  const rng = SearchRandom.fromSeed(0, 0);
  const limit = { flops: space.base.flops * 0.5, params: Infinity };
  const plans = Array.from({ length: n }, () => {
    const ep = rollout(space, limit, 0.8, () => rng.uniform(0, 0.8));
    const ratios = Object.fromEntries(space.units.map((u, i) => [u.id, ep.ratios[i]!]));
    return unitPlan(ratios, { criterion: 'l1', roundTo: 8, granularity });
  });
  const scratchDir = fs.mkdtempSync(path.join('tmp', 'amc-cost-'));
  const settings = [
    { calibrationImages: 32, bnImages: 8, graphOptimization: 'all' as const },
    { calibrationImages: 32, bnImages: 8, graphOptimization: 'basic' as const },
    { calibrationImages: 32, bnImages: 8, graphOptimization: 'all' as const },
    { calibrationImages: 32, bnImages: 0, graphOptimization: 'all' as const },
    { calibrationImages: 16, bnImages: 8, graphOptimization: 'all' as const },
    { calibrationImages: 64, bnImages: 8, graphOptimization: 'all' as const },
  ];
  try {
    for (const s of settings) {
      const evaluator = new EpisodeEvaluator();
      // One untimed episode fills the input cache and the BN images, as the first episode of a worker does.
      const job = {
        model,
        modelKey: 'm',
        dataDir: 'datasets/bccd',
        split: 'val',
        imgsz: 416,
        threads: 1,
        scratchDir,
        ...s,
      };
      await evaluator.evaluate({ ...job, plan: plans[0]! });
      const sums: Record<string, number> = {};
      for (const plan of plans) {
        const r = await evaluator.evaluate({ ...job, plan });
        for (const [k, v] of Object.entries(r.timings)) sums[k] = (sums[k] ?? 0) + v / n;
      }
      const ms = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, Math.round(v)]));
      console.log(JSON.stringify({ ...s, episodesPerMinute: +(60000 / sums.total!).toFixed(1), ms }));
    }
  } finally {
    fs.rmSync(scratchDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
