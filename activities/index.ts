import type { ArtifactStore, LocalArtifactCache } from '../runtime/artifacts';
import type { PipelineDeps } from './compress/context';
import { evaluateModel } from './compress/evaluate-model';
import { finetune } from './compress/finetune';
import { scoreTaylor } from './compress/score-taylor';
import { importDataset, importModel } from './compress/import-inputs';
import { planPruning } from './compress/plan-pruning';
import { applyPruning, exportModel, listPrunableUnits, scanUnit } from './compress/prune-steps';
import { writeReport } from './compress/write-report';
import { withFailureMapping } from './failures';
import { pingArtifact } from './ping-artifact';

export interface ActivityDeps {
  store: ArtifactStore;
  cache: LocalArtifactCache;
  workDir: string;
}

/**
 * All activities, bound to their clients. Workers call this once; workflows only see its type.
 */
export function createActivities(deps: ActivityDeps) {
  const p: PipelineDeps = deps;
  return {
    pingArtifact: withFailureMapping(pingArtifact(deps.store)),
    importModel: withFailureMapping(importModel(p)),
    importDataset: withFailureMapping(importDataset(p)),
    evaluateModel: withFailureMapping(evaluateModel(p)),
    listPrunableUnits: withFailureMapping(listPrunableUnits(p)),
    scanUnit: withFailureMapping(scanUnit(p)),
    planPruning: withFailureMapping(planPruning(p)),
    applyPruning: withFailureMapping(applyPruning(p)),
    finetune: withFailureMapping(finetune(p)),
    scoreTaylor: withFailureMapping(scoreTaylor(p)),
    exportModel: withFailureMapping(exportModel(p)),
    writeReport: withFailureMapping(writeReport(p)),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { PingArtifactInput, PingArtifactResult } from './ping-artifact';
