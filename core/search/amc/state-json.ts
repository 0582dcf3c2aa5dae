// The search state as JSON, exactly: typed arrays as base64 of their bytes (little-endian, as every platform
// Node runs on stores them), numbers as JSON numbers (which round-trip float64 exactly). Validated with zod
// on the way back in, since it is read from storage.

import { z } from 'zod';
import { DdpgAgent } from './ddpg';
import { Adam, Mlp } from './mlp';
import { SearchRandom } from './random';
import { ReplayBuffer } from './replay-buffer';
import { SearchError } from './errors';
import type { AmcSearchState } from './search';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

function toBase64(bytes: Uint8Array): string {
  const out: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = i + 1 < bytes.length ? bytes[i + 1]! : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2]! : 0;
    chunk +=
      B64[a >> 2]! +
      B64[((a & 3) << 4) | (b >> 4)]! +
      (i + 1 < bytes.length ? B64[((b & 15) << 2) | (c >> 6)]! : '=') +
      (i + 2 < bytes.length ? B64[c & 63]! : '=');
    if (chunk.length >= 4096) {
      out.push(chunk);
      chunk = '';
    }
  }
  out.push(chunk);
  return out.join('');
}

function fromBase64(s: string): Uint8Array<ArrayBuffer> {
  if (s.length % 4 !== 0) throw new SearchError('SEARCH_STATE_INVALID', 'a base64 array has a bad length');
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const v = [0, 1, 2, 3].map((k) => (s[i + k] === '=' ? 0 : B64_INDEX[s.charCodeAt(i + k)]!));
    if (v.some((x) => x < 0))
      throw new SearchError('SEARCH_STATE_INVALID', 'a base64 array has a bad character');
    const n = (v[0]! << 18) | (v[1]! << 12) | (v[2]! << 6) | v[3]!;
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

const f64 = (a: Float64Array) => toBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
const f32 = (a: Float32Array) => toBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
const u8 = (a: Uint8Array) => toBase64(a);
const readF64 = (s: string) => new Float64Array(fromBase64(s).slice().buffer);
const readF32 = (s: string) => new Float32Array(fromBase64(s).slice().buffer);

const num = z.number().finite();
const mlpSchema = z.object({
  sizes: z.array(z.number().int().positive()),
  output: z.enum(['sigmoid', 'linear']),
  params: z.string(),
});
const adamSchema = z.object({ lr: num, m: z.string(), v: z.string(), t: z.number().int().nonnegative() });
const agentSchema = z.object({
  config: z.object({
    stateDim: z.number().int().positive(),
    hidden: z.number().int().positive(),
    actorLr: num,
    criticLr: num,
    tau: num,
    discount: num,
    batchSize: z.number().int().positive(),
    aMax: num,
    movingAlpha: num,
    replayCapacity: z.number().int().positive(),
  }),
  actor: mlpSchema,
  critic: mlpSchema,
  actorTarget: mlpSchema,
  criticTarget: mlpSchema,
  actorOpt: adamSchema,
  criticOpt: adamSchema,
  replay: z.object({
    size: z.number().int().nonnegative(),
    head: z.number().int().nonnegative(),
    states: z.string(),
    nextStates: z.string(),
    actions: z.string(),
    rewards: z.string(),
    done: z.string(),
  }),
  movingAverage: num.nullable(),
  updates: z.number().int().nonnegative(),
});

const stateSchema = z.object({
  version: z.literal(1),
  settings: z.record(z.string(), z.unknown()),
  space: z.record(z.string(), z.unknown()),
  // An unlimited cost (Infinity) is null in JSON.
  limit: z.object({ flops: num.nullable(), params: num.nullable() }),
  episodesDone: z.number().int().nonnegative(),
  agent: agentSchema.nullable(),
  rng: z.array(z.number().int().nonnegative()).length(4),
  history: z.array(z.record(z.string(), z.unknown())),
  best: z.record(z.string(), z.unknown()).nullable(),
});

export type AmcStateJson = z.output<typeof stateSchema>;

const mlpJson = (m: Mlp) => ({ sizes: [...m.sizes], output: m.output, params: f64(m.params) });
const adamJson = (a: Adam) => ({ lr: a.lr, m: f64(a.m), v: f64(a.v), t: a.t });

export function searchStateToJson(s: AmcSearchState): AmcStateJson {
  const a = s.agent;
  return {
    version: 1,
    settings: { ...s.settings },
    space: s.space as unknown as Record<string, unknown>,
    limit: {
      flops: Number.isFinite(s.limit.flops) ? s.limit.flops : null,
      params: Number.isFinite(s.limit.params) ? s.limit.params : null,
    },
    episodesDone: s.episodesDone,
    agent: a
      ? {
          config: { ...a.config },
          actor: mlpJson(a.actor),
          critic: mlpJson(a.critic),
          actorTarget: mlpJson(a.actorTarget),
          criticTarget: mlpJson(a.criticTarget),
          actorOpt: adamJson(a.actorOpt),
          criticOpt: adamJson(a.criticOpt),
          replay: {
            size: a.replay.size,
            head: a.replay.head,
            states: f32(a.replay.states),
            nextStates: f32(a.replay.nextStates),
            actions: f32(a.replay.actions),
            rewards: f32(a.replay.rewards),
            done: u8(a.replay.done),
          },
          movingAverage: a.movingAverage,
          updates: a.updates,
        }
      : null,
    rng: s.rng.state,
    history: s.history as unknown as Record<string, unknown>[],
    best: s.best as unknown as Record<string, unknown> | null,
  };
}

export function searchStateFromJson(raw: unknown): AmcSearchState {
  const parsed = stateSchema.safeParse(raw);
  if (!parsed.success)
    throw new SearchError(
      'SEARCH_STATE_INVALID',
      `search state: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
  const j = parsed.data;
  let agent: DdpgAgent | null = null;
  if (j.agent) {
    const g = j.agent;
    const mlp = (m: z.output<typeof mlpSchema>) => new Mlp(m.sizes, m.output, readF64(m.params));
    const adam = (o: z.output<typeof adamSchema>) => new Adam(o.lr, readF64(o.m), readF64(o.v), o.t);
    const cap = g.config.replayCapacity;
    const d = g.config.stateDim;
    const replay = new ReplayBuffer(
      cap,
      d,
      readF32(g.replay.states),
      readF32(g.replay.nextStates),
      readF32(g.replay.actions),
      readF32(g.replay.rewards),
      new Uint8Array(fromBase64(g.replay.done)),
    );
    if (replay.states.length !== cap * d || replay.done.length !== cap)
      throw new SearchError('SEARCH_STATE_INVALID', 'search state: the replay memory has the wrong size');
    replay.size = g.replay.size;
    replay.head = g.replay.head;
    try {
      agent = new DdpgAgent(
        g.config,
        mlp(g.actor),
        mlp(g.critic),
        mlp(g.actorTarget),
        mlp(g.criticTarget),
        adam(g.actorOpt),
        adam(g.criticOpt),
        replay,
        g.movingAverage,
        g.updates,
      );
    } catch (err) {
      throw new SearchError('SEARCH_STATE_INVALID', `search state: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  return {
    settings: j.settings as unknown as AmcSearchState['settings'],
    space: j.space as unknown as AmcSearchState['space'],
    limit: { flops: j.limit.flops ?? Infinity, params: j.limit.params ?? Infinity },
    episodesDone: j.episodesDone,
    agent,
    rng: SearchRandom.fromState(j.rng),
    history: j.history as unknown as AmcSearchState['history'],
    best: j.best as unknown as AmcSearchState['best'],
  };
}
