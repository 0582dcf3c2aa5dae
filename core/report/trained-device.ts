// Which device a fine-tune trained on, as the trainer resolved its job's `device` (cpu, cuda or auto), so that
// a run whose `auto` fell back to the CPU says so in its result and report instead of only in a log line.

import { z } from 'zod';

export const TrainedDeviceSchema = z.object({
  /** The device that trained: `cpu` or `cuda`. */
  device: z.string().min(1),
  /** The job's `device`. */
  requested: z.enum(['auto', 'cpu', 'cuda']),
  /** True when `auto` found no usable CUDA device and trained on the CPU. */
  fallback: z.boolean(),
  /** Why `auto` fell back, in a few words (e.g. "no CUDA device"). */
  reason: z.string().min(1).optional(),
});

export type TrainedDevice = z.output<typeof TrainedDeviceSchema>;

/** One phrase for people: "cpu (auto: no CUDA device)", "cuda (auto)", "cpu". */
export function describeTrainedDevice(d: TrainedDevice): string {
  if (d.fallback) return `${d.device} (auto: ${d.reason ?? 'no CUDA device'})`;
  return d.requested === 'auto' ? `${d.device} (auto)` : d.device;
}
