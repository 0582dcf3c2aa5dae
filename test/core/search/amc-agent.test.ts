// AMC's agent on its own: the resource constraint holds whatever the policy proposes (checked on the engine's
// real pruned models), a search is a pure function of its seed, the critic learns a toy reward, and a search
// restored from its stored state proposes exactly what an uninterrupted one would.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unitPlan } from '../../../core/planning/unit-plans';
import { pruneModel } from '../../../core/pruning/prune-model';
import {
  AMC_DEFAULTS,
  DdpgAgent,
  SearchRandom,
  buildSearchSpace,
  costOf,
  createSearch,
  proposeBatch,
  recordBatch,
  rollout,
  searchStateFromJson,
  searchStateToJson,
  type AmcSearchState,
  type AmcSettings,
  type EpisodeResult,
} from '../../../core/search/amc';
import { computeStats } from '../../../core/stats';
import { buildYoloV8, yolov8Spec } from '../../../core/yolo';

const model = buildYoloV8(yolov8Spec('n', { nc: 3, imgsz: 64 }), { seed: 0 });
const channel = buildSearchSpace(model, { granularity: 'group', roundTo: 8, imgsz: 64 });
const modules = buildSearchSpace(model, { granularity: 'module', roundTo: 8, imgsz: 64 });

const settings = (over: Partial<AmcSettings> = {}): AmcSettings => ({
  ...AMC_DEFAULTS,
  agent: 'ddpg',
  episodes: 12,
  batch: 4,
  warmup: 4,
  seed: 7,
  hidden: 16,
  batchSize: 16,
  ...over,
});

/** A stand-in for evaluation: a reward that prefers cutting late units (deterministic in the plan). */
function fakeResults(state: AmcSearchState): EpisodeResult[] {
  return proposeBatch(state).map((p) => ({
    episode: p.episode,
    map50_95:
      1 -
      p.ratios.reduce((s, r, i) => s + r * (p.ratios.length - i), 0) / (p.ratios.length * p.ratios.length),
    map50: 0,
    flops: p.cost.flops,
    params: p.cost.params,
  }));
}

test('the cost model is the exact deploy-form cost of the pruned model (channel and module units, FLOPs and params)', async () => {
  const unpruned = computeStats(model, { imgsz: 64, form: 'deploy' });
  for (const space of [channel, modules]) {
    assert.ok(space.cost.exact);
    assert.deepEqual(space.base, { flops: unpruned.flops, params: unpruned.params });
    const rng = SearchRandom.fromSeed(3, 3);
    for (let k = 0; k < 3; k++) {
      const ratios = space.units.map(() => rng.uniform(0, 0.8));
      const ids = Object.fromEntries(space.units.map((u, i) => [u.id, ratios[i]!]));
      const plan = unitPlan(ids, { criterion: 'l1', roundTo: 8, granularity: space.granularity });
      const stats = computeStats((await pruneModel(model, plan)).model, { imgsz: 64, form: 'deploy' });
      assert.deepEqual(costOf(space.cost, ratios), { flops: stats.flops, params: stats.params });
    }
  }
});

test('the constraint holds for any actions: extreme, random and adversarial policies all meet the target', async () => {
  const limit = { flops: channel.base.flops * 0.5, params: channel.base.params * 0.6 };
  const rng = SearchRandom.fromSeed(11, 0);
  const policies = [
    () => 0, // never prune: the last units are forced to make up everything
    () => 0.8,
    () => rng.uniform(0, 0.8),
    (_s: Float64Array, t: number) => (t % 2 === 0 ? 0 : 0.8),
    () => -5, // out of range: clamped, then clipped
  ];
  for (const policy of policies) {
    const ep = rollout(channel, limit, 0.8, policy);
    assert.ok(ep.ratios.every((r) => r >= 0 && r <= 0.8));
    const ids = Object.fromEntries(channel.units.map((u, i) => [u.id, ep.ratios[i]!]));
    const stats = computeStats(
      (await pruneModel(model, unitPlan(ids, { criterion: 'l1', roundTo: 8, granularity: 'group' }))).model,
      { form: 'deploy' },
    );
    assert.ok(stats.flops <= limit.flops && stats.params <= limit.params, `${stats.flops} / ${limit.flops}`);
    assert.deepEqual({ flops: stats.flops, params: stats.params }, ep.cost);
  }
  // The clipping is the least needed: with no pruning wanted, the plan lands just under the limit.
  const lazy = rollout(channel, limit, 0.8, () => 0);
  assert.ok(lazy.cost.flops > limit.flops * 0.97 || lazy.cost.params > limit.params * 0.97);
});

test('a search is deterministic for a seed, and a different seed explores differently', () => {
  const run = (seed: number) => {
    const s = createSearch(
      modules,
      { flops: modules.base.flops * 0.5, params: Infinity },
      settings({ seed }),
    );
    const proposed: number[][] = [];
    while (s.episodesDone < s.settings.episodes) {
      proposed.push(...proposeBatch(s).map((p) => p.ratios));
      recordBatch(s, fakeResults(s));
    }
    return { proposed, best: s.best, actor: Array.from(s.agent!.actor.params) };
  };
  const a = run(7);
  assert.deepEqual(run(7), a);
  assert.notDeepEqual(run(8).proposed, a.proposed);
  assert.equal(a.proposed.length, 12);
});

test('resuming from the stored state proposes exactly what the uninterrupted search proposes next', () => {
  const limit = { flops: channel.base.flops * 0.5, params: Infinity };
  const uninterrupted = createSearch(channel, limit, settings());
  const interrupted = createSearch(channel, limit, settings());
  for (let b = 0; b < 2; b++) {
    recordBatch(uninterrupted, fakeResults(uninterrupted));
    recordBatch(interrupted, fakeResults(interrupted));
  }
  // Past warm-up (8 episodes done, warm-up 4): the agent has updated and its actor drives the proposals.
  assert.ok(uninterrupted.agent!.updates > 0);
  const restored = searchStateFromJson(JSON.parse(JSON.stringify(searchStateToJson(interrupted))));
  assert.deepEqual(
    proposeBatch(restored).map((p) => p.ratios),
    proposeBatch(uninterrupted).map((p) => p.ratios),
  );
  // ... and keeps learning identically: same updates, same next proposals, same replay and best plan.
  recordBatch(restored, fakeResults(restored));
  recordBatch(uninterrupted, fakeResults(uninterrupted));
  assert.deepEqual(Array.from(restored.agent!.critic.params), Array.from(uninterrupted.agent!.critic.params));
  assert.deepEqual(restored.best, uninterrupted.best);
  assert.deepEqual(restored.rng.state, uninterrupted.rng.state);
  // A state that does not parse is a typed input error.
  assert.throws(
    () => searchStateFromJson({ version: 1 }),
    (e: unknown) => (e as { code?: string }).code === 'SEARCH_STATE_INVALID',
  );
});

test('results for other episodes than the state proposed are refused', () => {
  const s = createSearch(modules, { flops: modules.base.flops * 0.5, params: Infinity }, settings());
  const results = fakeResults(s).map((r) => ({ ...r, episode: r.episode + 1 }));
  assert.throws(
    () => recordBatch(s, results),
    (e: unknown) => (e as { code?: string }).code === 'SEARCH_RESULTS_MISMATCH',
  );
});

test('DDPG learns a toy problem whose best action is known: reward −(a − 0.3)²', () => {
  const rng = SearchRandom.fromSeed(5, 0);
  const agent = DdpgAgent.create(
    {
      stateDim: 3,
      hidden: 32,
      actorLr: 3e-3,
      criticLr: 3e-3,
      tau: 0.05,
      discount: 1,
      batchSize: 32,
      aMax: 1,
      movingAlpha: 0.5,
      replayCapacity: 2000,
    },
    rng,
  );
  const state = [0.5, 0.2, 0.9];
  const losses: number[] = [];
  for (let step = 0; step < 1500; step++) {
    // One-step episodes: explore around the actor's action, reward known, done.
    const a = rng.truncatedNormal(agent.act(state), 0.3, 0, 1);
    agent.observe(state, a, -((a - 0.3) ** 2), state, true);
    if (step >= 64) losses.push(agent.update(rng).critic);
  }
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const early = mean(losses.slice(0, 100));
  const late = mean(losses.slice(-100));
  assert.ok(late < early / 4, `critic loss ${early} → ${late}`);
  // The critic ranks actions as the reward does, and the actor has moved to the best action.
  assert.ok(agent.value(state, 0.3) > agent.value(state, 0.9));
  assert.ok(agent.value(state, 0.3) > agent.value(state, 0));
  assert.ok(Math.abs(agent.act(state) - 0.3) < 0.1, `actor's action ${agent.act(state)}`);
});
