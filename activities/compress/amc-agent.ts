// The AMC search's agent steps (cpu queue): start a search, propose a batch of episodes, record a batch's
// results, and finish with the best plan. The agent's whole state (networks, Adam moments, replay memory,
// episode count, best plan, random state) is one content-addressed JSON artifact, read at the start of each
// step and written after each update, so a search resumes exactly where its last stored state left it.

import type { ArtifactRef } from '../../common/artifact-ref';
import type { SearchTrajectory } from '../../common/compress-result';
import { decodeModel, imageInputSize } from '../../core/onnx';
import { costLimit } from '../../core/planning/exact-cost-search';
import type { ReductionTarget } from '../../core/planning/reduction-target';
import { PlanError } from '../../core/planning/errors';
import { unitPlan, type Granularity } from '../../core/planning/unit-plans';
import type { PlanInput } from '../../core/pruning/plan/plan-schema';
import {
  buildSearchSpace,
  createSearch,
  proposeBatch,
  reachable,
  recordBatch,
  searchDone,
  searchStateFromJson,
  searchStateToJson,
  type AmcSearchState,
  type AmcSettings,
  type BestEpisode,
  type EpisodeResult,
} from '../../core/search/amc';
import { ActivityInputError } from '../input-error';
import { memoized, type PipelineDeps } from './context';

export interface AmcPruneSettings {
  criterion: string;
  roundTo: number;
  granularity: Exclude<Granularity, 'mixed'>;
}

export interface AmcStartInput {
  model: ArtifactRef;
  prune: AmcPruneSettings;
  target: ReductionTarget;
  settings: AmcSettings;
  imgsz?: number;
}

export interface AmcStartResult {
  state: ArtifactRef;
  units: number;
  /** The cost model is the pruned model's exact cost (false: an upper bound; each episode is measured). */
  exact: boolean;
  base: { flops: number; params: number };
  limit: { flops: number; params: number };
}

export interface AmcProposal {
  episode: number;
  plan: PlanInput;
  predicted: { flops: number; params: number };
}

export interface AmcRecordResult {
  state: ArtifactRef;
  episodesDone: number;
  done: boolean;
  best?: Omit<BestEpisode, 'ratios'>;
  criticLoss?: number;
}

export interface AmcFinishResult {
  plan: PlanInput;
  ref: ArtifactRef;
  best: BestEpisode;
  /** One point per episode: reward, measured FLOPs/params, accepted = a new best. */
  search: SearchTrajectory;
  units: string[];
}

/** Stored states by sha256: propose and record read the same state back to back (saves the download). */
const recent = new Map<string, unknown>();

async function loadState(deps: PipelineDeps, ref: ArtifactRef): Promise<AmcSearchState> {
  let json = recent.get(ref.sha256);
  if (json === undefined) {
    json = JSON.parse(new TextDecoder().decode(await deps.store.get(ref))) as unknown;
    recent.set(ref.sha256, json);
    if (recent.size > 2) recent.delete(recent.keys().next().value!);
  }
  // Parsed afresh every time: recording mutates the state it parsed.
  return searchStateFromJson(json);
}

async function storeState(deps: PipelineDeps, s: AmcSearchState): Promise<ArtifactRef> {
  const json = searchStateToJson(s);
  const ref = await deps.store.put(new TextEncoder().encode(JSON.stringify(json)), {
    contentType: 'application/json',
  });
  recent.set(ref.sha256, json);
  if (recent.size > 2) recent.delete(recent.keys().next().value!);
  return ref;
}

const planOf = (s: AmcSearchState, ratios: readonly number[], prune: AmcPruneSettings): PlanInput =>
  unitPlan(Object.fromEntries(s.space.units.map((u, i) => [u.id, ratios[i]!])), prune);

/** Builds the search space (units, features, exact cost model) and the initial agent. */
export function amcStart(deps: PipelineDeps) {
  return (input: AmcStartInput): Promise<AmcStartResult> =>
    memoized(deps, 'amcStart', input, async () => {
      const granularity = input.prune.granularity;
      if (granularity === 'block')
        throw new ActivityInputError(
          'PLAN_GRANULARITY_UNSUPPORTED',
          'the amc planner chooses ratios: use granularity `channel` or `module`, not `layer`',
        );
      const { flopsReduction, paramsReduction } = input.target;
      if (flopsReduction === undefined && paramsReduction === undefined)
        throw new PlanError(
          'PLAN_TARGET_INVALID',
          'the amc planner needs target.flopsReduction or target.paramsReduction (a latency budget becomes a FLOPs reduction)',
        );
      const model = decodeModel(await deps.store.get(input.model));
      const imgsz = input.imgsz ?? imageInputSize(model) ?? 640;
      const space = buildSearchSpace(model, { granularity, roundTo: input.prune.roundTo, imgsz });
      const limit = costLimit(space.base, input.target);
      if (!reachable(space, limit, input.settings.aMax))
        throw new PlanError(
          'PLAN_TARGET_UNREACHABLE',
          `even every unit cut at ${input.settings.aMax} does not meet the target (FLOPs −${flopsReduction ?? 0}, params −${paramsReduction ?? 0})`,
        );
      const state = createSearch(space, limit, input.settings);
      return {
        state: await storeState(deps, state),
        units: space.units.length,
        exact: space.cost.exact,
        base: space.base,
        limit,
      };
    });
}

/** The next batch of episodes as plans (a pure function of the stored state). */
export function amcPropose(deps: PipelineDeps) {
  return async (input: { state: ArtifactRef; prune: AmcPruneSettings }): Promise<AmcProposal[]> => {
    const s = await loadState(deps, input.state);
    return proposeBatch(s).map((p) => ({
      episode: p.episode,
      plan: planOf(s, p.ratios, input.prune),
      predicted: p.cost,
    }));
  };
}

/** Records a batch's rewards, updates the agent, stores the new state. */
export function amcRecord(deps: PipelineDeps) {
  return (input: { state: ArtifactRef; results: EpisodeResult[] }): Promise<AmcRecordResult> =>
    memoized(deps, 'amcRecord', input, async () => {
      const s = await loadState(deps, input.state);
      const { criticLoss } = recordBatch(s, input.results);
      const { ratios: _r, ...best } = s.best ?? { ratios: [] };
      return {
        state: await storeState(deps, s),
        episodesDone: s.episodesDone,
        done: searchDone(s),
        ...(s.best ? { best: best as Omit<BestEpisode, 'ratios'> } : {}),
        ...(criticLoss !== undefined ? { criticLoss } : {}),
      };
    });
}

/** The best plan found (stored as JSON) and the trajectory for the report. */
export function amcFinish(deps: PipelineDeps) {
  return async (input: { state: ArtifactRef; prune: AmcPruneSettings }): Promise<AmcFinishResult> => {
    const s = await loadState(deps, input.state);
    if (!s.best)
      throw new PlanError('PLAN_TARGET_UNREACHABLE', 'no episode of the search met the target when measured');
    const plan = planOf(s, s.best.ratios, input.prune);
    const ref = await deps.store.put(new TextEncoder().encode(JSON.stringify(plan, null, 2)), {
      contentType: 'application/json',
    });
    return {
      plan,
      ref,
      best: s.best,
      units: s.space.units.map((u) => u.id),
      search: {
        kind: s.settings.agent === 'random' ? 'random' : 'amc',
        points: s.history.map((h) => ({
          step: h.episode + 1,
          reward: h.reward,
          map50_95: h.map50_95,
          flops: h.flops,
          params: h.params,
          accepted: h.best,
        })),
      },
    };
  };
}
