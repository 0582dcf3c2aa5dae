import { z } from 'zod';

/** The trainer's JSON-lines protocol on stdout (trainer/README.md). Unknown extra fields are kept. */
const lossMap = z.record(z.string(), z.number().nullable());

export const startEventSchema = z.looseObject({
  event: z.literal('start'),
  mode: z.enum(['train', 'finetune']),
  device: z.string(),
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
