import { executeChild } from '@temporalio/workflow';
import { selectionSplit } from '../../common/data-split';
import { amcSearch } from '../amc-search';
import type { PlannerInput, PlannerResult } from './planner';

/**
 * `amc`: per-unit ratios learned by AMC's DDPG agent (or, with `agent: random`, random search over the same
 * actions and constraint), a durable child search (workflows/amc-search.ts). The best plan is returned for
 * the prune stage; every episode is a point of the search trajectory in the report.
 */
export async function planByAmc(input: PlannerInput): Promise<PlannerResult> {
  const o = input.options;
  if (o.planner.kind !== 'amc') throw new Error(`planByAmc got planner ${o.planner.kind}`);
  const p = o.planner;
  // A latency budget is planned as a FLOPs reduction, as for the other planners (1 − budget / baseline).
  const fromLatency =
    o.target.latencyMs !== undefined && input.baseline.latency_ms > 0
      ? 1 - o.target.latencyMs / input.baseline.latency_ms
      : undefined;
  const flops = Math.max(o.target.flopsReduction ?? 0, fromLatency ?? 0);
  const target = {
    ...(flops > 0 ? { flopsReduction: flops } : {}),
    ...(o.target.paramsReduction !== undefined ? { paramsReduction: o.target.paramsReduction } : {}),
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
          subset: p.calibrationImages,
          bnImages: p.bnImages,
          threads: 1,
        },
        taskQueue: input.queues.cpu,
        continueEvery: p.continueEvery,
      },
    ],
  });
  return {
    plan: found.plan,
    ref: found.ref,
    planned: {
      ...target,
      ...(fromLatency !== undefined && fromLatency > 0
        ? {
            fromLatency: {
              budgetMs: o.target.latencyMs!,
              baselineMs: input.baseline.latency_ms,
              flopsReduction: fromLatency,
            },
          }
        : {}),
    },
    search: [found.search],
  };
}
