import { continueAsNew, defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AmcPruneSettings, AmcRecordResult } from '../activities/compress/amc-agent';
import type { ArtifactRef } from '../common/artifact-ref';
import type { SearchTrajectory } from '../common/compress-result';
import type { ReductionTarget } from '../core/planning/reduction-target';
import type { PlanInput } from '../core/pruning/plan/plan-schema';
import type { AmcSettings, BestEpisode } from '../core/search/amc/search';
import { evaluationActivity, shortActivity } from './activity-options';
import type { DataSplit } from '../common/data-split';

export interface AmcSearchInput {
  model: ArtifactRef;
  dataset: ArtifactRef;
  prune: AmcPruneSettings;
  target: ReductionTarget;
  settings: AmcSettings;
  /** Reward: the first `calibrationImages` of `split` (the selection split, never the test split). */
  evaluation: {
    split: DataSplit;
    imgsz?: number;
    calibrationImages: number;
    bnImages: number;
    threads: number;
  };
  taskQueue: string;
  /** Batches per run before continue-as-new (keeps the history short over hundreds of episodes). */
  continueEvery: number;
  /** Carried by continue-as-new: the last stored agent state, and when the search started (ms). */
  state?: ArtifactRef;
  startedAt?: number;
}

export interface AmcSearchResult {
  plan: PlanInput;
  ref: ArtifactRef;
  best: BestEpisode;
  search: SearchTrajectory;
  units: number;
  episodes: number;
  /** The final agent state (everything the search learned). */
  state: ArtifactRef;
  /** Wall time of the whole search, across continue-as-new runs. */
  seconds: number;
}

export interface AmcProgress {
  episodesDone: number;
  episodes: number;
  best?: AmcRecordResult['best'];
  state?: ArtifactRef;
}

export const amcProgressQuery = defineQuery<AmcProgress>('amcProgress');

/**
 * AMC's search as a durable loop: the agent (an activity over the stored state) proposes a batch of
 * episodes, the batch is evaluated in parallel by whichever cpu workers poll the queue, the agent records
 * the rewards and updates, and the new state is stored. Every `continueEvery` batches the run continues as
 * new carrying only references, so a search of hundreds of episodes keeps a short history; a killed worker
 * (its episode is retried) or a restarted server (the history is replayed) resumes at the last stored state.
 */
export async function amcSearch(input: AmcSearchInput): Promise<AmcSearchResult> {
  const short = proxyActivities<Activities>({ ...shortActivity, taskQueue: input.taskQueue });
  const episodes = proxyActivities<Activities>({ ...evaluationActivity, taskQueue: input.taskQueue });
  const startedAt = input.startedAt ?? Date.now();
  const progress: AmcProgress = { episodesDone: 0, episodes: input.settings.episodes };
  setHandler(amcProgressQuery, () => progress);

  let state =
    input.state ??
    (
      await short.amcStart({
        model: input.model,
        prune: input.prune,
        target: input.target,
        settings: input.settings,
        ...(input.evaluation.imgsz ? { imgsz: input.evaluation.imgsz } : {}),
      })
    ).state;
  progress.state = state;
  for (let batch = 0; ; batch++) {
    if (batch >= input.continueEvery) await continueAsNew<typeof amcSearch>({ ...input, state, startedAt });
    const proposals = await short.amcPropose({ state, prune: input.prune });
    if (proposals.length === 0) break;
    const results = await Promise.all(
      proposals.map((p) =>
        episodes.amcEvaluateEpisode({
          episode: p.episode,
          model: input.model,
          dataset: input.dataset,
          plan: p.plan,
          split: input.evaluation.split,
          ...(input.evaluation.imgsz ? { imgsz: input.evaluation.imgsz } : {}),
          calibrationImages: input.evaluation.calibrationImages,
          bnImages: input.evaluation.bnImages,
          threads: input.evaluation.threads,
        }),
      ),
    );
    const recorded = await short.amcRecord({
      state,
      results: results.map(({ timings: _t, ...r }) => r),
    });
    state = recorded.state;
    progress.episodesDone = recorded.episodesDone;
    progress.state = state;
    if (recorded.best) progress.best = recorded.best;
    if (recorded.done) break;
  }
  const finished = await short.amcFinish({ state, prune: input.prune });
  return {
    plan: finished.plan,
    ref: finished.ref,
    best: finished.best,
    search: finished.search,
    units: finished.units.length,
    episodes: finished.search.points.length,
    state,
    seconds: (Date.now() - startedAt) / 1000,
  };
}
