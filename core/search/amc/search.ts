// The search as a pure state machine, so that a durable workflow can drive it one batch at a time: propose a
// batch of episodes (a pure function of the state: each episode draws from its own random stream), have them
// evaluated anywhere, record the results (rewards into the replay memory, DDPG updates, the best plan so far).
// The state is plain data plus typed arrays (search-state-json.ts stores it exactly), so a search restored
// from storage proposes exactly what an uninterrupted one would.

import { DdpgAgent, DDPG_DEFAULTS, type DdpgConfig } from './ddpg';
import type { Cost } from './cost-model';
import { rollout, STATE_DIM, type Episode } from './episode';
import { SearchRandom } from './random';
import { SearchError } from './errors';
import type { SearchSpace } from './search-space';

export interface AmcSettings extends Pick<
  DdpgConfig,
  'aMax' | 'hidden' | 'actorLr' | 'criticLr' | 'tau' | 'discount' | 'batchSize'
> {
  /** `ddpg`: AMC's agent; `random`: random search over the same actions and constraint (the baseline). */
  agent: 'ddpg' | 'random';
  episodes: number;
  /** Episodes proposed together and evaluated in parallel; the agent updates after each batch. */
  batch: number;
  /** Episodes with uniformly random actions before the agent acts (AMC: 100 of 400). */
  warmup: number;
  seed: number;
  /** Replay memory, in episodes (× units transitions). */
  replayEpisodes: number;
  /** Exploration: truncated normal σ at the first episode after warm-up, × noiseDecay per episode after. */
  initNoise: number;
  noiseDecay: number;
  /** Minibatch updates per episode after warm-up; 0: one per unit (AMC: one per transition). */
  updatesPerEpisode: number;
}

export const AMC_DEFAULTS: Omit<AmcSettings, 'agent' | 'episodes' | 'batch' | 'warmup' | 'seed'> = {
  aMax: 0.8,
  ...DDPG_DEFAULTS,
  replayEpisodes: 100,
  initNoise: 0.5,
  noiseDecay: 0.95,
  updatesPerEpisode: 0,
};

export interface EpisodeResult {
  episode: number;
  /** The reward: mAP50-95 of the pruned (not fine-tuned) model on the held-out calibration subset. */
  map50_95: number;
  map50: number;
  /** Exact cost of the pruned model, as measured. */
  flops: number;
  params: number;
  seconds?: number;
}

export interface EpisodeRecord extends EpisodeResult {
  reward: number;
  /** What the cost model predicted (equal to flops when it is exact). */
  predictedFlops: number;
  /** The measured cost met the target. */
  meets: boolean;
  /** A new best: the highest reward so far among episodes meeting the target. */
  best: boolean;
}

export interface BestEpisode {
  episode: number;
  reward: number;
  map50_95: number;
  flops: number;
  params: number;
  /** Per unit, in the order of space.units. */
  ratios: number[];
}

export interface AmcSearchState {
  settings: AmcSettings;
  space: SearchSpace;
  limit: Cost;
  episodesDone: number;
  agent: DdpgAgent | null;
  /** Draws of the agent's updates (minibatches). Episodes draw from their own streams. */
  rng: SearchRandom;
  history: EpisodeRecord[];
  best: BestEpisode | null;
}

export interface Proposal extends Episode {
  episode: number;
}

export function createSearch(space: SearchSpace, limit: Cost, settings: AmcSettings): AmcSearchState {
  const rng = SearchRandom.fromSeed(settings.seed, 0);
  const agent =
    settings.agent === 'ddpg'
      ? DdpgAgent.create(
          {
            stateDim: STATE_DIM,
            hidden: settings.hidden,
            actorLr: settings.actorLr,
            criticLr: settings.criticLr,
            tau: settings.tau,
            discount: settings.discount,
            batchSize: settings.batchSize,
            aMax: settings.aMax,
            movingAlpha: DDPG_DEFAULTS.movingAlpha,
            replayCapacity: Math.max(1, settings.replayEpisodes * space.units.length),
          },
          rng,
        )
      : null;
  return { settings, space, limit, episodesDone: 0, agent, rng, history: [], best: null };
}

export const searchDone = (s: AmcSearchState) => s.episodesDone >= s.settings.episodes;

/** Exploration noise σ of episode e (after warm-up). */
export function noiseOf(s: AmcSettings, episode: number): number {
  return s.initNoise * Math.pow(s.noiseDecay, Math.max(0, episode - s.warmup));
}

/** The next batch of episodes: a pure function of the state. */
export function proposeBatch(state: AmcSearchState): Proposal[] {
  const s = state.settings;
  const from = state.episodesDone;
  const to = Math.min(s.episodes, from + s.batch);
  const out: Proposal[] = [];
  for (let e = from; e < to; e++) {
    const rng = SearchRandom.fromSeed(s.seed, e + 1);
    const agent = state.agent;
    const policy =
      agent && e >= s.warmup
        ? (st: Float64Array) => rng.truncatedNormal(agent.act(st), noiseOf(s, e), 0, s.aMax)
        : () => rng.uniform(0, s.aMax);
    out.push({ episode: e, ...rollout(state.space, state.limit, s.aMax, policy) });
  }
  return out;
}

/**
 * Records a batch's results (in the order proposed): history, best plan, and for DDPG the transitions
 * (every step rewarded with the episode's reward, as AMC does) and the updates. Returns the mean critic loss
 * of the updates made (undefined when none were).
 */
export function recordBatch(
  state: AmcSearchState,
  results: readonly EpisodeResult[],
): { criticLoss?: number } {
  const proposals = proposeBatch(state);
  if (results.length !== proposals.length || results.some((r, i) => r.episode !== proposals[i]!.episode)) {
    throw new SearchError(
      'SEARCH_RESULTS_MISMATCH',
      `results for episodes [${results.map((r) => r.episode).join(', ')}], the state proposed [${proposals
        .map((p) => p.episode)
        .join(', ')}]`,
    );
  }
  const s = state.settings;
  let lossSum = 0;
  let updates = 0;
  results.forEach((r, i) => {
    const p = proposals[i]!;
    const reward = r.map50_95;
    const ok = r.flops <= state.limit.flops * (1 + 1e-12) && r.params <= state.limit.params * (1 + 1e-12);
    const isBest = ok && (state.best === null || reward > state.best.reward);
    if (isBest) {
      state.best = {
        episode: r.episode,
        reward,
        map50_95: r.map50_95,
        flops: r.flops,
        params: r.params,
        ratios: p.ratios,
      };
    }
    state.history.push({ ...r, reward, predictedFlops: p.cost.flops, meets: ok, best: isBest });
    const agent = state.agent;
    if (!agent) return;
    const n = p.states.length;
    for (let t = 0; t < n; t++) {
      const next = t + 1 < n ? p.states[t + 1]! : p.states[t]!;
      agent.observe(p.states[t]!, p.ratios[t]!, reward, next, t === n - 1);
    }
    if (r.episode < s.warmup) return;
    const count = s.updatesPerEpisode > 0 ? s.updatesPerEpisode : n;
    for (let k = 0; k < count; k++) {
      lossSum += agent.update(state.rng).critic;
      updates++;
    }
  });
  state.episodesDone += results.length;
  return updates > 0 ? { criticLoss: lossSum / updates } : {};
}
