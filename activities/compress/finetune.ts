import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { ArtifactRef } from '../../common/artifact-ref';
import type { CompressModelOptions } from '../../common/compress-input';
import { decodeModel, imageInputSize } from '../../core/onnx';
import { runTrainer, writeTrainerJob, type TrainerJob } from '../../runtime/trainer-process';
import { memoized, type PipelineDeps } from './context';
import { loadManifest } from './import-inputs';

export interface FinetuneInput {
  student: ArtifactRef;
  teacher: ArtifactRef;
  dataset: ArtifactRef;
  split: string;
  options: CompressModelOptions['finetune'];
}

/** What the activity heartbeats: progress, and where a retried attempt resumes from. */
export interface FinetuneHeartbeat {
  step: number;
  steps: number;
  checkpoint: ArtifactRef | null;
}

export interface FinetuneResult {
  model: ArtifactRef;
  steps: number;
  /** The step the trainer started from in the attempt that finished (0 unless it resumed). */
  resumedFromStep: number;
  attempt: number;
}

/**
 * CWD fine-tuning through the trainer subprocess. Every checkpoint the trainer writes is uploaded and named
 * in the heartbeat; a retried attempt (worker crash, heartbeat timeout) downloads the last one and resumes
 * at its exact step. Cancelling the workflow cancels this activity, which SIGTERMs the trainer.
 */
export function finetune(deps: PipelineDeps) {
  return (input: FinetuneInput): Promise<FinetuneResult> =>
    memoized(deps, 'finetune', input, async () => {
      const ctx = Context.current();
      const prior = ctx.info.heartbeatDetails as FinetuneHeartbeat | undefined;
      const dir = path.join(
        deps.workDir,
        'finetune',
        `${ctx.info.workflowExecution?.workflowId ?? 'standalone'}-${ctx.info.activityId}`,
      );
      fs.mkdirSync(dir, { recursive: true });

      const [student, teacher] = await Promise.all([
        deps.cache.file(input.student),
        deps.cache.file(input.teacher),
      ]);
      const dataDir = await deps.cache.dataset(await loadManifest(deps, input.dataset));
      let resume: string | undefined;
      if (prior?.checkpoint) resume = await deps.cache.file(prior.checkpoint, '.pt');

      const o = input.options;
      // Train at the student's own input size unless told otherwise (the trainer's default is 640).
      const imgsz = o.imgsz ?? imageInputSize(decodeModel(fs.readFileSync(student)));
      const job: TrainerJob = {
        mode: 'finetune',
        model: student,
        teacher,
        out: path.join(dir, 'finetuned.onnx'),
        data: { format: 'voc', root: dataDir, splits: [input.split] },
        labels: o.labels,
        ...(imgsz ? { imgsz } : {}),
        epochs: o.epochs,
        ...(o.maxSteps ? { max_steps: o.maxSteps } : {}),
        batch: o.batch,
        device: o.device,
        checkpoint_every: o.checkpointEvery,
        cwd: { enabled: true, tau: o.cwdTau, weight: o.cwdWeight },
      };
      const jobFile = await writeTrainerJob(path.join(dir, 'job.json'), job);

      let beat: FinetuneHeartbeat = prior ?? { step: 0, steps: 0, checkpoint: null };
      let uploaded = prior?.checkpoint ? resume : undefined;
      let startStep = 0;
      let uploads = Promise.resolve();
      // The trainer may be silent for minutes (torch import, conversion, long epochs): beat on a timer as
      // long as this activity is alive, so the heartbeat timeout detects a dead worker, not a slow step.
      const every = Math.max(500, Math.min(5_000, (ctx.info.heartbeatTimeoutMs ?? 15_000) / 3));
      const timer = setInterval(() => ctx.heartbeat(beat), every);
      const done = await runTrainer({
        jobFile,
        resume,
        signal: ctx.cancellationSignal,
        onEvent: (event) => {
          if (event.event === 'start') startStep = event.start_step;
          if (event.event !== 'progress') return;
          beat = { ...beat, step: event.step, steps: event.steps };
          const checkpoint = event.checkpoint;
          if (checkpoint && checkpoint !== uploaded) {
            uploaded = checkpoint;
            const step = event.step;
            uploads = uploads.then(async () => {
              const ref = await deps.store.put(fs.readFileSync(checkpoint));
              beat = { ...beat, checkpoint: ref };
              ctx.heartbeat(beat);
              ctx.log.info('checkpoint stored', { step, key: ref.key });
            });
          }
          ctx.heartbeat(beat);
        },
      }).finally(() => clearInterval(timer));
      await uploads;
      const model = await deps.store.put(fs.readFileSync(done.model));
      return { model, steps: done.steps, resumedFromStep: startStep, attempt: ctx.info.attempt };
    });
}
