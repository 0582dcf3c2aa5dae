import path from 'node:path';
import { z } from 'zod';
import { runTrainer, writeTrainerJob, type TrainerJob } from '../../runtime/trainer-process';
import { parseFlags } from '../args';
import type { CliCommand } from '../command';
import {
  commonTrainerFlags,
  commonTrainerOptions,
  dataSpecForDir,
  progressPrinter,
  runJobFromCli,
} from '../trainer-support';

const flagsSchema = commonTrainerFlags.extend({
  model: z.string().min(1),
  sparsity: z.coerce.number().min(0).default(0),
});

/** Trains a train-form ONNX detector with the YOLOv8 detection loss (trainer subprocess). */
export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'train a YOLOv8 ONNX model on a dataset (PyTorch subprocess; resumable)',
  usage: [
    'usage: stageprune train --model M.onnx --data DIR --epochs N --out OUT [options]',
    '  --imgsz 416  --batch 16  --seed 0  --device auto|cpu|cuda  --workers 0  --threads 0',
    '  --format auto|voc|yolo|coco|images  --splits train,val  --names A,B,C  --annotations COCO.json',
    '  --selection-images N [--selection-seed 0] (train on the splits less the N images `run` would hold out for selection)',
    '  --lr0 0.01  --warmup-bias-lr 0.1  --checkpoint-every 500  --max-steps N  --sparsity L1 (BN-gamma sparsity)',
    '  --taylor FILE (write first-order Taylor channel scores)  --resume CHECKPOINT',
    'Progress on stderr; the final result as one JSON line on stdout. Writes OUT/job.json, OUT/model.onnx, OUT/checkpoints/.',
  ].join('\n'),
  async run(args) {
    const { flags } = parseFlags(
      args,
      { ...commonTrainerOptions, model: { type: 'string' }, sparsity: { type: 'string' } },
      flagsSchema,
    );
    const out = path.resolve(flags.out);
    const job: TrainerJob = {
      mode: 'train',
      model: path.resolve(flags.model),
      out,
      data: dataSpecForDir(flags.data, flags),
      ...commonJobFields(flags),
      sparsity: { l1: flags.sparsity },
    };
    return runJobFromCli(job, flags.resume, runTrainer, writeTrainerJob, progressPrinter());
  },
};

export function commonJobFields(
  flags: z.infer<typeof commonTrainerFlags>,
): Partial<TrainerJob> & { epochs: number } {
  return {
    epochs: flags.epochs,
    imgsz: flags.imgsz,
    batch: flags.batch,
    seed: flags.seed,
    device: flags.device,
    workers: flags.workers,
    threads: flags.threads,
    checkpoint_every: flags['checkpoint-every'],
    ...(flags['max-steps'] !== undefined ? { max_steps: flags['max-steps'] } : {}),
    optimizer: {
      lr0: flags.lr0,
      ...(flags['warmup-bias-lr'] !== undefined ? { warmup_bias_lr: flags['warmup-bias-lr'] } : {}),
    },
    ...(flags.taylor ? { taylor: { out: path.resolve(flags.taylor) } } : {}),
  };
}
