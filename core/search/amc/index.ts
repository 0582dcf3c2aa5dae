// AMC (He et al., ECCV 2018): per-unit pruning ratios learned by a DDPG agent under a resource constraint,
// as a pure state machine (search.ts) that a durable workflow drives one batch of episodes at a time.
export { buildSearchSpace, type SearchSpace, type SearchUnit, type SearchGranularity } from './search-space';
export { costOf, meets, type Cost, type CostModel } from './cost-model';
export { rollout, leastRatio, reachable, STATE_DIM, type Episode, type Policy } from './episode';
export {
  AMC_DEFAULTS,
  createSearch,
  proposeBatch,
  recordBatch,
  searchDone,
  noiseOf,
  type AmcSettings,
  type AmcSearchState,
  type BestEpisode,
  type EpisodeRecord,
  type EpisodeResult,
  type Proposal,
} from './search';
export { searchStateFromJson, searchStateToJson, type AmcStateJson } from './state-json';
export { DdpgAgent, DDPG_DEFAULTS, type DdpgConfig } from './ddpg';
export { Adam, Mlp } from './mlp';
export { ReplayBuffer } from './replay-buffer';
export { SearchRandom } from './random';
export { SearchError, type SearchErrorCode } from './errors';
