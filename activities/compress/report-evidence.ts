import type { ArtifactRef } from '../../common/artifact-ref';
import type { RunOptions } from '../../common/compress-input';
import type { CompressArtifacts } from '../../common/compress-result';
import type { TrainedDevice } from '../../core/report/trained-device';
import { readMemo, type PipelineDeps } from './context';
import type { EvaluateModelInput, EvaluateModelResult } from './evaluate-model';
import type { FinetuneInput, FinetuneResult } from './finetune';
import { importDataset } from './import-inputs';

export interface ReportEvaluations {
  before?: EvaluateModelResult;
  pruned?: EvaluateModelResult;
  after?: EvaluateModelResult;
}

export interface ReportEvidence {
  dataset: ArtifactRef;
  evaluations: ReportEvaluations;
  finetuneLoss?: ArtifactRef;
  /** The device the fine-tune trained on (FinetuneResult.device). */
  finetuneDevice?: TrainedDevice;
}

/**
 * What the report draws beyond the workflow result — the evaluations' latency spread and per-class AP, the
 * dataset, the fine-tune's loss series and device — taken from the writeReport input when the workflow passes
 * them, and otherwise looked up where the steps stored them: every step's result is memoized under the hash
 * of its input, and the input is rebuilt here exactly as compressModel builds it. That lookup only reads (a
 * step that did not run is never run from here) and serves runs whose workflow code predates those inputs.
 */
export async function gatherReportEvidence(
  deps: PipelineDeps,
  given: {
    options: RunOptions;
    artifacts: CompressArtifacts;
    dataset?: ArtifactRef;
    evaluations?: ReportEvaluations;
    finetuneLoss?: ArtifactRef;
    finetuneDevice?: TrainedDevice;
  },
): Promise<ReportEvidence> {
  const o = given.options;
  const a = given.artifacts;
  // importDataset is deterministic: the same listing yields the same content-addressed manifest.
  const dataset = given.dataset ?? (await importDataset(deps)({ uri: o.data })).manifest;
  const evaluationOf = (model: ArtifactRef | undefined) => {
    if (!model) return Promise.resolve(undefined);
    // Field order as in compressModel's `{ model, dataset, ...evalArgs }`: the memo key hashes the JSON.
    const input: EvaluateModelInput = {
      model,
      dataset,
      split: o.splits.evaluation,
      imgsz: o.evaluation.imgsz,
      provider: o.evaluation.provider,
      maxImages: o.evaluation.maxImages,
      latencyRuns: o.evaluation.latencyRuns,
    };
    return readMemo<EvaluateModelResult>(deps, 'evaluateModel', input);
  };
  const [before, pruned, after] = await Promise.all([
    given.evaluations?.before ?? evaluationOf(a.original),
    given.evaluations?.pruned ?? evaluationOf(a.pruned),
    given.evaluations?.after ?? evaluationOf(a.deployed),
  ]);
  let finetuneLoss = given.finetuneLoss;
  let finetuneDevice = given.finetuneDevice;
  if ((!finetuneLoss || !finetuneDevice) && a.finetuned && a.pruned) {
    const input: FinetuneInput = {
      student: a.pruned,
      teacher: a.original,
      dataset,
      split: o.splits.finetune,
      options: o.finetune,
    };
    const tuned = await readMemo<FinetuneResult>(deps, 'finetune', input);
    finetuneLoss ??= tuned?.lossSeries;
    finetuneDevice ??= tuned?.device;
  }
  return {
    dataset,
    evaluations: {
      ...(before ? { before } : {}),
      ...(pruned ? { pruned } : {}),
      ...(after ? { after } : {}),
    },
    ...(finetuneLoss ? { finetuneLoss } : {}),
    ...(finetuneDevice ? { finetuneDevice } : {}),
  };
}
