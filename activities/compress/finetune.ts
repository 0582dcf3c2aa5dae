import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { ArtifactRef } from '../../common/artifact-ref';
import type { CompressModelOptions } from '../../common/compress-input';
import { decodeModel, imageInputSize } from '../../core/onnx';
import type { TrainedDevice } from '../../core/report/trained-device';
import {
  runTrainer,
  trainedDeviceOf,
  writeTrainerJob,
  type DoneEvent,
  type ProgressEvent,
  type TrainerJob,
} from '../../runtime/trainer-process';
import { DEFAULT_STORE_BACKOFF, retryStore } from '../../runtime/artifacts/store-retry';
import { CheckpointUploader } from './checkpoint-uploader';
import { LossSeriesRecorder } from './finetune-loss-series';
import { memoized, type PipelineDeps } from './context';
import { loadManifest } from './import-inputs';
import { trainerDataSpecForSplit } from '../../runtime/trainer/data-spec';
import type { DataSplit } from '../../common/data-split';
import type { TrainingProgress } from '../../common/progress-details';

export interface FinetuneInput {
  student: ArtifactRef;
  teacher: ArtifactRef;
  dataset: ArtifactRef;
  split: DataSplit;
  options: CompressModelOptions['finetune'];
  /** Network Slimming: L1 penalty on every BatchNormalization γ (the sparsify stage). */
  l1?: number;
}

/** What the activity heartbeats: progress (shown by the UI and the CLI), and where a retried attempt resumes from. */
export interface FinetuneHeartbeat extends TrainingProgress {
  checkpoint: ArtifactRef | null;
}

export interface FinetuneResult {
  model: ArtifactRef;
  steps: number;
  /** The step the trainer started from in the attempt that finished (0 unless it resumed). */
  resumedFromStep: number;
  attempt: number;
  /** The trainer's loss per progress line (FinetuneLoss JSON), for the report; absent if it was not stored. */
  lossSeries?: ArtifactRef;
  /** The device that trained (the final attempt's), and whether `device: auto` fell back to the CPU. */
  device?: TrainedDevice;
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
        data: trainerDataSpecForSplit(dataDir, input.split),
        labels: o.labels,
        ...(imgsz ? { imgsz } : {}),
        epochs: o.epochs,
        ...(o.maxSteps ? { max_steps: o.maxSteps } : {}),
        batch: o.batch,
        seed: o.seed,
        device: o.device,
        checkpoint_every: o.checkpointEvery,
        cwd: { enabled: true, tau: o.cwdTau, weight: o.cwdWeight, head_weight: o.cwdHeadWeight },
        optimizer: {
          ...(o.lr0 !== undefined ? { lr0: o.lr0 } : {}),
          ...(o.warmupBiasLr !== undefined ? { warmup_bias_lr: o.warmupBiasLr } : {}),
        },
        ...(o.outputWeight !== undefined ? { output_distill: { weight: o.outputWeight } } : {}),
        ...(input.l1 ? { sparsity: { l1: input.l1 } } : {}),
      };
      const jobFile = await writeTrainerJob(path.join(dir, 'job.json'), job);

      let beat: FinetuneHeartbeat = prior ?? { step: 0, steps: 0, checkpoint: null };
      let offered = prior?.checkpoint ? resume : undefined;
      let startStep = 0;
      const losses = new LossSeriesRecorder();
      // Checkpoints upload in the background with back-off while the trainer goes on; a failed upload leaves
      // the heartbeat naming the last checkpoint that was stored, which is where a retry resumes.
      const uploader = new CheckpointUploader({
        put: (bytes) => deps.store.put(bytes),
        backoff: { ...DEFAULT_STORE_BACKOFF, ...deps.storeBackoff },
        onStored: (ref, step) => {
          beat = { ...beat, checkpoint: ref };
          ctx.heartbeat(beat);
          ctx.log.info('checkpoint stored', { step, key: ref.key });
        },
        onRetry: (err, step, attempt, delayMs) =>
          ctx.log.warn('checkpoint upload failed; retrying', { step, attempt, delayMs, error: String(err) }),
        onDropped: (err, step) =>
          ctx.log.warn('checkpoint not stored; the last stored one stays the resume point', {
            step,
            error: String(err),
          }),
      });
      // The trainer may be silent for minutes (torch import, conversion, long epochs): beat on a timer as
      // long as this activity is alive, so the heartbeat timeout detects a dead worker, not a slow step.
      const every = Math.max(500, Math.min(5_000, (ctx.info.heartbeatTimeoutMs ?? 15_000) / 3));
      const timer = setInterval(() => ctx.heartbeat(beat), every);
      let done: DoneEvent;
      try {
        done = await runTrainer({
          jobFile,
          resume,
          signal: ctx.cancellationSignal,
          onEvent: (event) => {
            losses.record(event);
            if (event.event === 'start') {
              startStep = event.start_step;
              // The step count is known now; the first progress line comes `log_every` steps later.
              beat = { ...beat, step: event.start_step, steps: event.steps };
            }
            if (event.event !== 'progress') return;
            beat = { ...beat, ...trainingProgressOf(event) };
            if (event.checkpoint && event.checkpoint !== offered) {
              offered = event.checkpoint;
              uploader.offer(event.checkpoint, event.step);
            }
            ctx.heartbeat(beat);
          },
        });
      } finally {
        clearInterval(timer);
        await uploader.stop();
      }
      const finalBytes = fs.readFileSync(done.model);
      // The trained model is worth waiting for: a retry would resume from the last checkpoint, not from here.
      const model = await retryStore(() => deps.store.put(finalBytes), {
        ...deps.storeBackoff,
        signal: ctx.cancellationSignal,
        onRetry: (err, attempt, delayMs) =>
          ctx.log.warn('fine-tuned model upload failed; retrying', { attempt, delayMs, error: err.message }),
      });
      const lossSeries = await losses.store(deps, (m) => ctx.log.warn(m));
      const device = trainedDeviceOf(done);
      if (device?.fallback)
        ctx.log.warn('fine-tuned on the CPU: device auto found no CUDA device', { reason: device.reason });
      return {
        model,
        steps: done.steps,
        resumedFromStep: startStep,
        attempt: ctx.info.attempt,
        ...(lossSeries ? { lossSeries } : {}),
        ...(device ? { device } : {}),
      };
    });
}

/** A trainer progress event as the heartbeat carries it: small, rounded, readable in the Temporal UI. */
export function trainingProgressOf(event: ProgressEvent): TrainingProgress {
  const parts = Object.values(event.loss).filter((v): v is number => v !== null);
  return {
    step: event.step,
    steps: event.steps,
    epoch: Math.round(event.epoch * 100) / 100,
    epochs: event.epochs,
    ...(parts.length ? { loss: Math.round(parts.reduce((a, b) => a + b, 0) * 1e4) / 1e4 } : {}),
    ...(event.eta_s !== null ? { etaSeconds: Math.round(event.eta_s) } : {}),
  };
}
