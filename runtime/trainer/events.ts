import { z } from 'zod';
import type { TrainedDevice } from '../../core/report/trained-device';

/** The trainer's JSON-lines protocol on stdout (trainer/README.md). Unknown extra fields are kept. */
const lossMap = z.record(z.string(), z.number().nullable());

/** The device the run trains on as resolved from the job's `device` (start and done events). */
const deviceFields = {
  /** The job's `device`: auto, cpu or cuda. */
  device_requested: z.enum(['auto', 'cpu', 'cuda']).optional(),
  /** True when `auto` found no usable CUDA device and trained on the CPU. */
  device_fallback: z.boolean().optional(),
  /** Why `auto` fell back (e.g. "no CUDA device"); null when it did not. */
  device_reason: z.string().nullable().optional(),
};

export const startEventSchema = z.looseObject({
  event: z.literal('start'),
  mode: z.enum(['train', 'finetune']),
  /** The device that trains: cpu or cuda. */
  device: z.string(),
  ...deviceFields,
  images: z.number().int(),
  batch: z.number().int(),
  batches_per_epoch: z.number().int(),
  steps: z.number().int(),
  start_step: z.number().int(),
  nc: z.number().int(),
});

export const progressEventSchema = z.looseObject({
  event: z.literal('progress'),
  step: z.number().int(),
  steps: z.number().int(),
  epoch: z.number(),
  epochs: z.number().int(),
  loss: lossMap,
  lr: z.number().nullable(),
  images_per_s: z.number().nullable(),
  eta_s: z.number().nullable(),
  checkpoint: z.string().nullable(),
});

export const resumedEventSchema = z.looseObject({
  event: z.literal('resumed'),
  checkpoint: z.string(),
  step: z.number().int(),
});

export const interruptedEventSchema = z.looseObject({
  event: z.literal('interrupted'),
  signal: z.number().int(),
  step: z.number().int(),
  checkpoint: z.string(),
});

export const doneEventSchema = z.looseObject({
  event: z.literal('done'),
  model: z.string(),
  checkpoint: z.string().nullable(),
  steps: z.number().int(),
  /** Optimiser steps taken (fewer than steps: batches are accumulated to the nominal batch). */
  optimizer_steps: z.number().int().optional(),
  epochs: z.number(),
  taylor: z.string().nullable(),
  /** Images processed and seconds spent in this process's training steps (startup and export excluded). */
  images_seen: z.number().int().optional(),
  train_seconds: z.number().optional(),
  /** Teacher forward passes actually run (fewer than steps when its outputs were cached). */
  teacher_forwards: z.number().int().optional(),
  /** The device that trained: cpu or cuda. */
  device: z.string().optional(),
  ...deviceFields,
});

export const errorEventSchema = z.looseObject({
  event: z.literal('error'),
  code: z.string(),
  message: z.string(),
  exit_code: z.number().int(),
});

export const trainerEventSchema = z.discriminatedUnion('event', [
  startEventSchema,
  progressEventSchema,
  resumedEventSchema,
  interruptedEventSchema,
  doneEventSchema,
  errorEventSchema,
]);

export type TrainerEvent = z.infer<typeof trainerEventSchema>;
export type StartEvent = z.infer<typeof startEventSchema>;
export type ProgressEvent = z.infer<typeof progressEventSchema>;
export type DoneEvent = z.infer<typeof doneEventSchema>;
export type InterruptedEvent = z.infer<typeof interruptedEventSchema>;
export type ErrorEvent = z.infer<typeof errorEventSchema>;

/** The device a start or done event names, with whether `auto` fell back to the CPU; undefined if it names none. */
export function trainedDeviceOf(event: StartEvent | DoneEvent): TrainedDevice | undefined {
  if (!event.device || !event.device_requested) return undefined;
  const fallback = event.device_fallback ?? false;
  return {
    device: event.device,
    requested: event.device_requested,
    fallback,
    ...(fallback && event.device_reason ? { reason: event.device_reason } : {}),
  };
}

/** One stdout line -> a typed event, or undefined for a line that is not protocol (e.g. a library print). */
export function parseTrainerLine(line: string): TrainerEvent | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = trainerEventSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}
