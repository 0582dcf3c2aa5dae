// The fine-tune's loss series: the trainer's `progress` lines (means since the previous line, per term:
// box, cls, dfl — the detection loss — cwd, output, l1 and total as enabled), collected by the finetune
// activity into a small JSON artifact that the report draws.

import { z } from 'zod';

export const FinetuneLossSchema = z.object({
  version: z.literal(1),
  /** The step the attempt that finished started from: earlier points were logged by an attempt that died. */
  resumed_from_step: z.number().int().nonnegative(),
  points: z
    .array(
      z.object({
        step: z.number().int().nonnegative(),
        epoch: z.number().finite(),
        loss: z.record(z.string(), z.number().finite().nullable()),
      }),
    )
    .max(100_000),
});
export type FinetuneLoss = z.output<typeof FinetuneLossSchema>;

/** Terms of the detection loss (ultralytics' loss items); everything else is distillation or regularisation. */
export const DETECTION_TERMS = ['box', 'cls', 'dfl'] as const;

/** Series names present in the points, detection terms first, `total` last. */
export function lossTerms(loss: FinetuneLoss): string[] {
  const names = new Set(loss.points.flatMap((p) => Object.keys(p.loss)));
  const known = [...DETECTION_TERMS, 'cwd', 'output', 'l1'] as string[];
  const rank = (n: string) => (n === 'total' ? 1000 : known.includes(n) ? known.indexOf(n) : 500);
  return [...names].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}
