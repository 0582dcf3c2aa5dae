// Measured latency for the latency-driven planner (NetAdapt): the lookup table of a model, stored once per
// (model, provider, threads, batch, image size, host) and reused by every later run, and single measurements
// of candidate models. Run on the queue whose execution provider serves the model, one at a time per
// worker: concurrent activities on the same cores would be measured too.

import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { ArtifactRef } from '../../common/artifact-ref';
import { MEMO_PREFIX } from '../../common/run-prefix';
import { LatencyTableSchema, type LatencyKey, type LatencyTable } from '../../core/latency/latency-table';
import { ArtifactMissingError } from '../../runtime/artifacts';
import { hostFingerprint } from '../../runtime/latency/host-fingerprint';
import { measureLatencyTable, measureModelLatency } from '../../runtime/latency/measure-table';
import type { PipelineDeps } from './context';

export interface LatencySettings {
  provider: 'cpu' | 'cuda';
  threads: number;
  batch: number;
  imgsz: number;
  runs: number;
}

export interface LatencyTableInput extends LatencySettings {
  model: ArtifactRef;
  widthsPerUnit: number;
  roundTo: number;
}

export interface StoredLatencyTable {
  table: ArtifactRef;
  key: LatencyKey;
  baseMs: number;
  units: number;
  /** True when an earlier run's table was reused. */
  reused: boolean;
}

/** The model's latency table: the stored one for the same key and settings, else measured and stored. */
export function latencyTable(deps: PipelineDeps) {
  return async (input: LatencyTableInput): Promise<StoredLatencyTable> => {
    const key: LatencyKey = {
      modelSha256: input.model.sha256,
      provider: input.provider,
      threads: input.threads,
      batch: input.batch,
      imgsz: input.imgsz,
      host: hostFingerprint(),
    };
    const id = createHash('sha256')
      .update(
        JSON.stringify({
          // Table format 3: only widths the engine reaches, each timed at the ratio that reaches it (format 2
          // labelled a C2f half-rounded cut by the width asked for); older tables are measured again.
          format: 3,
          key,
          runs: input.runs,
          widthsPerUnit: input.widthsPerUnit,
          roundTo: input.roundTo,
        }),
      )
      .digest('hex');
    // Keyed by the hash of what it was measured for, like a memoized step: shared by every run.
    const name = `${MEMO_PREFIX}latency-tables/${id}.json`;
    const summary = (ref: ArtifactRef, t: LatencyTable, reused: boolean): StoredLatencyTable => ({
      table: ref,
      key,
      baseMs: t.baseMs,
      units: Object.keys(t.units).length,
      reused,
    });
    try {
      const ref = (await deps.store.getJson(name)) as ArtifactRef;
      const stored = LatencyTableSchema.parse(
        JSON.parse(new TextDecoder().decode(await deps.store.get(ref))),
      );
      return summary(ref, stored, true);
    } catch (err) {
      if (!(err instanceof ArtifactMissingError)) throw err;
    }
    const ctx = Context.current();
    const table = await measureLatencyTable(await deps.store.get(input.model), key, {
      ...input,
      warmup: 3,
      onProgress: (done, total) => ctx.heartbeat({ done, total }),
    });
    const ref = await deps.store.put(new TextEncoder().encode(JSON.stringify(table)), {
      contentType: 'application/json',
    });
    await deps.store.putJson(name, ref);
    return summary(ref, table, false);
  };
}

/** One model's latency (median and p90 of `runs` timed runs after 3 warm-ups). */
export function measureLatency(deps: PipelineDeps) {
  return async (
    input: LatencySettings & { model: ArtifactRef },
  ): Promise<{ medianMs: number; p90Ms: number }> => {
    const file = await deps.cache.file(input.model);
    const r = await measureModelLatency(file, { ...input, warmup: 3 });
    return { medianMs: r.medianMs, p90Ms: r.p90Ms };
  };
}
