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
import { commonJobFields } from './train';

const flagsSchema = commonTrainerFlags.extend({
  student: z.string().min(1),
  teacher: z.string().min(1),
  'cwd-tau': z.coerce.number().positive().default(1),
  'cwd-weight': z.coerce.number().min(0).default(10),
  'cwd-head': z.coerce.number().min(0).default(0),
  'no-cwd': z.boolean().default(false),
  'no-labels': z.boolean().default(false),
  // Unset: the trainer's default (on without labels, since nothing else then trains the head; off with them).
  'output-weight': z.coerce.number().min(0).optional(),
});

/** Fine-tunes a (pruned) student with channel-wise distillation from its teacher, labels optional. */
export const finetuneCommand: CliCommand = {
  name: 'finetune',
  summary: 'fine-tune a pruned ONNX student with channel-wise distillation from a teacher (labels optional)',
  usage: [
    'usage: stageprune finetune --student S.onnx --teacher T.onnx --data DIR --epochs N --out OUT [options]',
    '  --cwd-tau 1  --cwd-weight 10 (per level)  --cwd-head 0 (head maps)  --no-cwd  --no-labels (distillation only)',
    "  --output-weight W (distil the head's outputs; default 10 with --no-labels, else 0)",
    '  --imgsz 416  --batch 16  --seed 0  --device auto|cpu|cuda  --workers 0  --threads 0',
    '  --format auto|voc|yolo|coco|images  --splits train,val  --names A,B,C  --annotations COCO.json',
    '  --selection-images N [--selection-seed 0] (train on the splits less the N images `run` would hold out for selection)',
    '  --lr0 0.01  --warmup-bias-lr 0.1  --checkpoint-every 500  --max-steps N  --taylor FILE  --resume CHECKPOINT',
    'Progress on stderr; the final result as one JSON line on stdout.',
  ].join('\n'),
  async run(args) {
    const { flags } = parseFlags(
      args,
      {
        ...commonTrainerOptions,
        student: { type: 'string' },
        teacher: { type: 'string' },
        'cwd-tau': { type: 'string' },
        'cwd-weight': { type: 'string' },
        'cwd-head': { type: 'string' },
        'no-cwd': { type: 'boolean' },
        'no-labels': { type: 'boolean' },
        'output-weight': { type: 'string' },
      },
      flagsSchema,
    );
    const job: TrainerJob = {
      mode: 'finetune',
      model: path.resolve(flags.student),
      teacher: path.resolve(flags.teacher),
      out: path.resolve(flags.out),
      data: dataSpecForDir(flags.data, flags),
      labels: !flags['no-labels'],
      ...commonJobFields(flags),
      cwd: {
        enabled: !flags['no-cwd'],
        tau: flags['cwd-tau'],
        weight: flags['cwd-weight'],
        head_weight: flags['cwd-head'],
      },
      ...(flags['output-weight'] === undefined ? {} : { output_distill: { weight: flags['output-weight'] } }),
    };
    return runJobFromCli(job, flags.resume, runTrainer, writeTrainerJob, progressPrinter());
  },
};
