import type { ArtifactStore, LocalArtifactCache } from '../runtime/artifacts';
import type { StoreBackoff } from '../runtime/artifacts/store-retry';
import type { PipelineDeps } from './compress/context';
import { evaluateModel } from './compress/evaluate-model';
import { finetune } from './compress/finetune';
import { scoreTaylor } from './compress/score-taylor';
import { importDataset, importModel } from './compress/import-inputs';
import { measureGammas } from './compress/gamma-histogram';
import { latencyTable, measureLatency } from './compress/latency';
import { netAdaptProposals } from './compress/netadapt-proposals';
import { modelInputSize, netAdaptSummary } from './compress/netadapt-summary';
import { planMixes, planPruning } from './compress/plan-pruning';
import { applyPruning } from './compress/apply-pruning';
import { scheduleStep } from './compress/schedule-step';
import { exportModel } from './compress/export-model';
import { quantizeModel } from './compress/quantize-model';
import { listPrunableUnits, scanUnit } from './compress/scan-unit';
import { writeReport } from './compress/write-report';
import { amcFinish, amcPropose, amcRecord, amcStart } from './compress/amc-agent';
import { amcEvaluateEpisode } from './compress/amc-episode';
import { withFailureMapping } from './failures';
import { withLivenessHeartbeat } from './liveness';
import { pingArtifact } from './ping-artifact';
import { RunScopedStore } from './run-scoped-store';

export interface ActivityDeps {
  store: ArtifactStore;
  cache: LocalArtifactCache;
  workDir: string;
  /** Buckets model and data URIs may name (default: the store's bucket only). */
  inputBuckets?: readonly string[];
  /** Back-off for store writes worth waiting for (tests shorten it). */
  storeBackoff?: Partial<StoreBackoff>;
}

/**
 * All activities, bound to their clients. Workers call this once; workflows only see its type. Every
 * activity sees the store through RunScopedStore (named writes only under its own run's prefix), and all
 * but the two that heartbeat progress themselves send a liveness heartbeat.
 */
export function createActivities(deps: ActivityDeps) {
  const p: PipelineDeps = { ...deps, store: new RunScopedStore(deps.store) };
  const short = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    withFailureMapping(withLivenessHeartbeat(fn));
  return {
    pingArtifact: short(pingArtifact(p.store)),
    importModel: short(importModel(p)),
    importDataset: short(importDataset(p)),
    evaluateModel: short(evaluateModel(p)),
    listPrunableUnits: short(listPrunableUnits(p)),
    scanUnit: short(scanUnit(p)),
    planPruning: short(planPruning(p)),
    scheduleStep: short(scheduleStep(p)),
    planMixes: short(planMixes(p)),
    measureGammas: short(measureGammas(p)),
    netAdaptProposals: short(netAdaptProposals(p)),
    netAdaptSummary: short(netAdaptSummary(p)),
    modelInputSize: short(modelInputSize(p)),
    latencyTable: withFailureMapping(latencyTable(p)),
    quantizeModel: short(quantizeModel(p)),
    measureLatency: short(measureLatency(p)),
    applyPruning: short(applyPruning(p)),
    finetune: withFailureMapping(finetune(p)),
    scoreTaylor: withFailureMapping(scoreTaylor(p)),
    exportModel: short(exportModel(p)),
    writeReport: short(writeReport(p)),
    amcStart: short(amcStart(p)),
    amcPropose: short(amcPropose(p)),
    amcEvaluateEpisode: short(amcEvaluateEpisode(p)),
    amcRecord: short(amcRecord(p)),
    amcFinish: short(amcFinish(p)),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { PingArtifactInput, PingArtifactResult } from './ping-artifact';
