// DDPG (Lillicrap et al. 2016) as AMC uses it (He et al. 2018, and its code's defaults): an actor μ(s) → a
// in [0, a_max] (sigmoid output scaled), a critic Q(s, a), target copies of both updated softly, a replay
// memory, and rewards normalised by a moving average of the sampled batch's mean reward before they enter
// the critic's targets.

import { Adam, Mlp } from './mlp';
import type { SearchRandom } from './random';
import { ReplayBuffer } from './replay-buffer';

export interface DdpgConfig {
  stateDim: number;
  /** Units in each of the two hidden layers (AMC: 300). */
  hidden: number;
  actorLr: number;
  criticLr: number;
  /** Soft target update rate. */
  tau: number;
  /** AMC uses 1: every step of an episode is rewarded with the episode's final reward. */
  discount: number;
  batchSize: number;
  /** Actions are in [0, aMax]; networks see them as a / aMax. */
  aMax: number;
  /** Weight of the newest batch mean in the reward baseline. */
  movingAlpha: number;
  replayCapacity: number;
}

export const DDPG_DEFAULTS = {
  hidden: 64,
  actorLr: 1e-4,
  criticLr: 1e-3,
  tau: 0.01,
  discount: 1,
  batchSize: 64,
  movingAlpha: 0.5,
} as const;

export interface UpdateLoss {
  critic: number;
  actor: number;
}

export class DdpgAgent {
  constructor(
    readonly config: DdpgConfig,
    readonly actor: Mlp,
    readonly critic: Mlp,
    readonly actorTarget: Mlp,
    readonly criticTarget: Mlp,
    readonly actorOpt: Adam,
    readonly criticOpt: Adam,
    readonly replay: ReplayBuffer,
    /** The reward baseline; null until the first update. */
    public movingAverage: number | null = null,
    public updates = 0,
  ) {}

  static create(config: DdpgConfig, rng: SearchRandom): DdpgAgent {
    const h = config.hidden;
    const actor = Mlp.init([config.stateDim, h, h, 1], 'sigmoid', rng);
    const critic = Mlp.init([config.stateDim + 1, h, h, 1], 'linear', rng);
    return new DdpgAgent(
      config,
      actor,
      critic,
      actor.clone(),
      critic.clone(),
      Adam.create(actor.params.length, config.actorLr),
      Adam.create(critic.params.length, config.criticLr),
      new ReplayBuffer(config.replayCapacity, config.stateDim),
    );
  }

  /** The actor's action for one state, in [0, aMax] (no exploration noise). */
  act(state: ArrayLike<number>): number {
    const out = this.actor.forward(Float64Array.from(state), 1).acts.at(-1)!;
    return out[0]! * this.config.aMax;
  }

  /** Stores a transition; the action in [0, aMax], the reward raw (normalised at update time). */
  observe(s: ArrayLike<number>, a: number, reward: number, s2: ArrayLike<number>, done: boolean): void {
    this.replay.add(s, a / this.config.aMax, reward, s2, done);
  }

  /** The critic's value of (state, action in [0, aMax]). */
  value(state: ArrayLike<number>, action: number): number {
    const x = Float64Array.from([...Array.from(state), action / this.config.aMax]);
    return this.critic.forward(x, 1).acts.at(-1)![0]!;
  }

  /** One minibatch update of the critic, then the actor, then both targets. */
  update(rng: SearchRandom): UpdateLoss {
    const c = this.config;
    const d = c.stateDim;
    const n = Math.min(c.batchSize, this.replay.size);
    if (n === 0) return { critic: 0, actor: 0 };
    const idx = this.replay.sample(n, rng);
    const r = this.replay;
    const s = new Float64Array(n * d);
    const s2 = new Float64Array(n * d);
    const rewards = new Float64Array(n);
    let mean = 0;
    for (let i = 0; i < n; i++) {
      const j = idx[i]!;
      for (let k = 0; k < d; k++) {
        s[i * d + k] = r.states[j * d + k]!;
        s2[i * d + k] = r.nextStates[j * d + k]!;
      }
      rewards[i] = r.rewards[j]!;
      mean += rewards[i]! / n;
    }
    this.movingAverage =
      this.movingAverage === null ? mean : this.movingAverage + c.movingAlpha * (mean - this.movingAverage);

    // Critic targets y = r̃ + γ (1 − done) Q'(s', μ'(s')).
    const a2 = this.actorTarget.forward(s2, n).acts.at(-1)!;
    const q2 = this.criticTarget.forward(withAction(s2, a2, n, d), n).acts.at(-1)!;
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const j = idx[i]!;
      y[i] = rewards[i]! - this.movingAverage + c.discount * (1 - r.done[j]!) * q2[i]!;
    }
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = r.actions[idx[i]!]!;
    const trace = this.critic.forward(withAction(s, a, n, d), n);
    const q = trace.acts.at(-1)!;
    const gq = new Float64Array(n);
    let criticLoss = 0;
    for (let i = 0; i < n; i++) {
      const e = q[i]! - y[i]!;
      criticLoss += (e * e) / n;
      gq[i] = (2 * e) / n;
    }
    const criticGrad = new Float64Array(this.critic.params.length);
    this.critic.backward(trace, gq, criticGrad);
    this.criticOpt.step(this.critic.params, criticGrad);

    // Actor: ascend Q(s, μ(s)); the critic's gradient with respect to its action input drives the actor.
    const actorTrace = this.actor.forward(s, n);
    const mu = actorTrace.acts.at(-1)!;
    const qTrace = this.critic.forward(withAction(s, mu, n, d), n);
    let actorLoss = 0;
    for (let i = 0; i < n; i++) actorLoss -= qTrace.acts.at(-1)![i]! / n;
    const gIn = this.critic.backward(
      qTrace,
      new Float64Array(n).fill(-1 / n),
      new Float64Array(this.critic.params.length),
    );
    const gMu = new Float64Array(n);
    for (let i = 0; i < n; i++) gMu[i] = gIn[i * (d + 1) + d]!;
    const actorGrad = new Float64Array(this.actor.params.length);
    this.actor.backward(actorTrace, gMu, actorGrad);
    this.actorOpt.step(this.actor.params, actorGrad);

    this.actorTarget.softUpdate(this.actor, c.tau);
    this.criticTarget.softUpdate(this.critic, c.tau);
    this.updates++;
    return { critic: criticLoss, actor: actorLoss };
  }
}

/** Rows [state, action] for the critic. */
function withAction(s: Float64Array, a: Float64Array, n: number, d: number): Float64Array {
  const x = new Float64Array(n * (d + 1));
  for (let i = 0; i < n; i++) {
    x.set(s.subarray(i * d, (i + 1) * d), i * (d + 1));
    x[i * (d + 1) + d] = a[i]!;
  }
  return x;
}
