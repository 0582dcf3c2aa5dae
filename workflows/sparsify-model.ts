import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ArtifactRef } from '../common/artifact-ref';
import type { RunOptions } from '../common/compress-input';
import type { GammaHistogram } from '../core/stats/gamma-histogram';
import { shortActivity, trainingActivity } from './activity-options';

export interface SparsifyInput {
  model: ArtifactRef;
  dataset: ArtifactRef;
  options: RunOptions;
  queues: { cpu: string; gpu: string };
}

export interface SparsifyResult {
  model: ArtifactRef;
  gammaBefore: GammaHistogram;
  gammaAfter: GammaHistogram;
}

/**
 * Network Slimming's first half: fine-tune from the original (detection loss + CWD from it, as the final
 * fine-tune does) with an L1 penalty on every BatchNormalization γ, so that channels the data does not need
 * drift to zero and the `bn-gamma` criterion finds them. The |γ| histograms before and after go to the report.
 */
export async function sparsifyModel(input: SparsifyInput): Promise<SparsifyResult> {
  const o = input.options;
  if (!o.sparsify) throw new Error('sparsifyModel needs options.sparsify');
  const cpu = proxyActivities<Activities>({ ...shortActivity, taskQueue: input.queues.cpu });
  const gpu = proxyActivities<Activities>({
    ...trainingActivity,
    heartbeatTimeout: `${o.finetune.heartbeatTimeoutSeconds} seconds`,
    taskQueue: input.queues.gpu,
  });
  const gammaBefore = await cpu.measureGammas({ model: input.model });
  const tuned = await gpu.finetune({
    student: input.model,
    teacher: input.model,
    dataset: input.dataset,
    split: o.splits.finetune,
    options: { ...o.finetune, epochs: o.sparsify.epochs, maxSteps: undefined },
    l1: o.sparsify.l1,
  });
  const gammaAfter = await cpu.measureGammas({ model: tuned.model });
  return { model: tuned.model, gammaBefore, gammaAfter };
}
