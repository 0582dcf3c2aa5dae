import { executeChild } from '@temporalio/workflow';
import { selectionSplit } from '../../common/data-split';
import { amcSearch } from '../amc-search';
import type { ReductionTarget } from '../../core/planning/reduction-target';
import type { PlannerInput, PlannerResult } from './planner';
import { plannerTarget, reportedTarget } from './planner-support';

/**
 * `amc`: per-unit ratios learned by AMC's DDPG agent (or, with `agent: random`, random search over the same
 * actions and constraint), a durable child search (workflows/amc-search.ts). The best plan is returned for
 * the prune stage; every episode is a point of the search trajectory in the report.
 */
export async function planByAmc(input: PlannerInput<'amc'>): Promise<PlannerResult> {
  const o = input.options;
  const p = o.planner;
  const resolved = plannerTarget(input);
  const target: ReductionTarget = {
    ...(resolved.flopsReduction !== undefined ? { flopsReduction: resolved.flopsReduction } : {}),
    ...(resolved.paramsReduction !== undefined ? { paramsReduction: resolved.paramsReduction } : {}),
  };
  const found = await executeChild(amcSearch, {
    workflowId: `${input.runId}-amc`,
    args: [
      {
        model: input.model,
        dataset: input.dataset,
        // The input schema allows `mixed` with the sensitivity planner only.
        prune: {
          criterion: o.criterion,
          roundTo: o.roundTo,
          granularity: o.granularity === 'mixed' ? 'module' : o.granularity,
        },
        target,
        settings: {
          agent: p.agent,
          episodes: p.episodes,
          batch: p.batch,
          warmup: p.warmup,
          seed: p.seed,
          aMax: p.maxRatio,
          hidden: p.hidden,
          actorLr: p.actorLr,
          criticLr: p.criticLr,
          tau: 0.01,
          discount: 1,
          batchSize: 64,
          replayEpisodes: 100,
          initNoise: p.initNoise,
          noiseDecay: p.noiseDecay,
          updatesPerEpisode: p.updatesPerEpisode,
        },
        evaluation: {
          split: selectionSplit(o.splits),
          ...(o.evaluation.imgsz ? { imgsz: o.evaluation.imgsz } : {}),
          calibrationImages: p.calibrationImages,
          bnImages: p.bnImages,
          threads: 1,
        },
        taskQueue: input.queues.cpu,
        continueEvery: p.continueEvery,
      },
    ],
  });
  return {
    kind: 'planned',
    plan: found.plan,
    ref: found.ref,
    ...reportedTarget(resolved),
    search: [found.search],
  };
}
