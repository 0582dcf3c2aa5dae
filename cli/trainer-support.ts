import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { TrainerInterruptedError } from '../runtime/trainer/errors';
import { describeTrainedDevice } from '../core/report/trained-device';
import { trainedDeviceOf, type DoneEvent, type TrainerEvent } from '../runtime/trainer/events';
import { trainerDataSpec } from '../runtime/trainer/data-spec';
import type { TrainerDataSpec, TrainerJob } from '../runtime/trainer/job';
import type { RunTrainerOptions } from '../runtime/trainer-process';

/** The trainer's data spec for the `--data DIR` of `train` and `finetune` (see data-spec.ts). */
export function dataSpecForDir(
  dir: string,
  options: {
    format?: string;
    splits?: string[];
    names?: string[];
    annotations?: string;
    'selection-images'?: number;
    'selection-seed'?: number;
  },
): TrainerDataSpec {
  const n = options['selection-images'];
  // As `run` does without a selection split: the held-out images are left for choosing, never trained on.
  const holdOut = n ? { count: n, seed: options['selection-seed'] ?? 0, part: 'rest' as const } : undefined;
  return trainerDataSpec(dir, { ...options, ...(holdOut ? { holdOut } : {}) });
}

/** A one-line progress bar on stderr (redrawn in place on a TTY, one line per update otherwise). */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): (event: TrainerEvent) => void {
  const tty = stream.isTTY === true;
  return (event) => {
    if (event.event === 'start') {
      const device = trainedDeviceOf(event);
      const on = device ? describeTrainedDevice(device) : event.device;
      stream.write(
        `trainer: ${event.mode} on ${on}, ${event.images} images, batch ${event.batch}, ${event.steps} steps\n`,
      );
    } else if (event.event === 'resumed') {
      stream.write(`trainer: resumed at step ${event.step} from ${event.checkpoint}\n`);
    } else if (event.event === 'progress') {
      const width = 24;
      const frac = event.steps > 0 ? event.step / event.steps : 1;
      const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
      const loss = Object.entries(event.loss)
        .map(([k, v]) => `${k} ${v === null ? 'nan' : v.toFixed(3)}`)
        .join(' ');
      const eta = event.eta_s === null ? '?' : `${Math.round(event.eta_s)}s`;
      const ips = event.images_per_s === null ? '?' : event.images_per_s.toFixed(1);
      const line = `[${bar}] ${event.step}/${event.steps} ep ${event.epoch.toFixed(2)} | ${loss} | ${ips} img/s | eta ${eta}`;
      stream.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
    } else if (event.event === 'done' || event.event === 'interrupted' || event.event === 'error') {
      if (tty) stream.write('\n');
    }
  };
}

// Shared flags of the `train` and `finetune` verbs.
export const commonTrainerOptions: NonNullable<ParseArgsConfig['options']> = {
  data: { type: 'string' },
  epochs: { type: 'string' },
  out: { type: 'string' },
  imgsz: { type: 'string' },
  batch: { type: 'string' },
  seed: { type: 'string' },
  device: { type: 'string' },
  workers: { type: 'string' },
  threads: { type: 'string' },
  format: { type: 'string' },
  splits: { type: 'string' },
  names: { type: 'string' },
  annotations: { type: 'string' },
  'selection-images': { type: 'string' },
  'selection-seed': { type: 'string' },
  lr0: { type: 'string' },
  'warmup-bias-lr': { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'max-steps': { type: 'string' },
  taylor: { type: 'string' },
  resume: { type: 'string' },
};

const list = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0),
  )
  .optional();

export const commonTrainerFlags = z.object({
  data: z.string().min(1),
  epochs: z.coerce.number().int().min(0),
  out: z.string().min(1),
  imgsz: z.coerce.number().int().min(32).multipleOf(32).default(416),
  batch: z.coerce.number().int().min(1).default(16),
  seed: z.coerce.number().int().min(0).default(0),
  device: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
  workers: z.coerce.number().int().min(0).default(0),
  threads: z.coerce.number().int().min(0).default(0),
  format: z.enum(['auto', 'voc', 'yolo', 'coco', 'images']).default('auto'),
  splits: list,
  names: list,
  annotations: z.string().optional(),
  // Hold out this many images of the splits (sha256(seed:stem), as `run` carves its selection split) and train
  // on the rest: the same images as a pipeline fine-tune on a data set without a selection split.
  'selection-images': z.coerce.number().int().min(1).optional(),
  'selection-seed': z.coerce.number().int().min(0).default(0),
  lr0: z.coerce.number().positive().default(0.01),
  // Unset: the trainer's (0.1, ultralytics'): the LR the bias group starts its warmup from.
  'warmup-bias-lr': z.coerce.number().min(0).max(10).optional(),
  'checkpoint-every': z.coerce.number().int().min(1).default(500),
  'max-steps': z.coerce.number().int().min(1).optional(),
  taylor: z.string().optional(),
  resume: z.string().optional(),
});

/** Writes OUT/job.json, runs the trainer (Ctrl-C/SIGTERM → checkpoint), prints the final JSON line. */
export async function runJobFromCli(
  job: TrainerJob,
  resume: string | undefined,
  run: (o: RunTrainerOptions) => Promise<DoneEvent>,
  writeJob: (file: string, job: TrainerJob) => Promise<string>,
  onEvent: (e: TrainerEvent) => void,
): Promise<number> {
  const jobFile = await writeJob(path.join(job.out, 'job.json'), job);
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const done = await run({
      jobFile,
      resume: resume ? path.resolve(resume) : undefined,
      signal: abort.signal,
      onEvent,
    });
    console.log(JSON.stringify({ ok: true, job: jobFile, ...done }));
    return 0;
  } catch (err) {
    if (err instanceof TrainerInterruptedError) {
      console.log(
        JSON.stringify({
          ok: false,
          interrupted: true,
          job: jobFile,
          checkpoint: err.checkpoint,
          step: err.step,
        }),
      );
      console.error(`stopped; resume with --resume ${err.checkpoint ?? '<checkpoint>'}`);
      return 75;
    }
    throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
