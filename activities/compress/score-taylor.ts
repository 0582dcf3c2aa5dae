import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { ArtifactRef } from '../../common/artifact-ref';
import { decodeModel, imageInputSize } from '../../core/onnx';
import { runTrainer, writeTrainerJob, type TrainerJob } from '../../runtime/trainer-process';
import { trainerDataSpecForSplit } from '../../runtime/trainer/data-spec';
import { memoized, type PipelineDeps } from './context';
import { loadManifest } from './import-inputs';
import type { DataSplit } from '../../common/data-split';

export interface ScoreTaylorInput {
  model: ArtifactRef;
  dataset: ArtifactRef;
  split: DataSplit;
  /** Batches of the split the gradients are accumulated over. */
  batches: number;
  batch: number;
  device: 'auto' | 'cpu' | 'cuda';
  imgsz?: number;
}

/**
 * First-order Taylor channel scores (|activation × gradient| of the detection loss) from the trainer: a job
 * with no optimiser steps that only accumulates gradients, on the gpu queue. The scores file is stored and
 * passed by reference to the pruning steps.
 */
export function scoreTaylor(deps: PipelineDeps) {
  return (input: ScoreTaylorInput): Promise<{ scores: ArtifactRef }> =>
    memoized(deps, 'scoreTaylor', input, async () => {
      const ctx = Context.current();
      const dir = path.join(
        deps.workDir,
        'taylor',
        `${ctx.info.workflowExecution?.workflowId ?? 'standalone'}-${ctx.info.activityId}`,
      );
      fs.mkdirSync(dir, { recursive: true });
      const model = await deps.cache.file(input.model);
      const dataDir = await deps.cache.dataset(await loadManifest(deps, input.dataset));
      const imgsz = input.imgsz ?? imageInputSize(decodeModel(fs.readFileSync(model)));
      const out = path.join(dir, 'taylor.json');
      const job: TrainerJob = {
        mode: 'train',
        model,
        out: path.join(dir, 'out'),
        data: trainerDataSpecForSplit(dataDir, input.split),
        ...(imgsz ? { imgsz } : {}),
        epochs: 0,
        batch: input.batch,
        device: input.device,
        taylor: { out, batches: input.batches },
      };
      const jobFile = await writeTrainerJob(path.join(dir, 'job.json'), job);
      // Torch import and the gradient passes can take minutes on CPU: beat on a timer while alive.
      const timer = setInterval(() => ctx.heartbeat(), 5_000);
      await runTrainer({ jobFile, signal: ctx.cancellationSignal }).finally(() => clearInterval(timer));
      return { scores: await deps.store.put(fs.readFileSync(out), { contentType: 'application/json' }) };
    });
}
