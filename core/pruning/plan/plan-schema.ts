// The pruning plan: immutable JSON, validated with zod. The same schema serves what a user writes (ratios)
// and what the engine saves after applying one (explicit channel lists under `channels`, ratios dropped),
// so replaying a saved plan removes exactly the same channels.

import { z } from 'zod';
import { CRITERIA } from '../importance/criterion';

const ratio = z.number();
const units = z.record(z.string(), ratio);

export const PlanSchema = z
  .object({
    version: z.literal(1).default(1),
    criterion: z.enum(CRITERIA).default('l1'),
    reduction: z.enum(['mean', 'sum', 'max']).default('mean'),
    normalization: z.enum(['mean', 'max', 'none']).default('mean'),
    /** Kept channels per group are rounded to a multiple of this (hardware-friendly widths). */
    round_to: z.number().int().min(1).max(1024).default(8),
    /** No group keeps fewer channels than this (nor any split segment fewer than its own minimum). */
    min_channels: z.number().int().min(1).default(8),
    seed: z.number().int().default(0),
    /**
     * Groups split into parts (C2f's chunk halves): 'per-segment' cuts each part by the ratio with its own
     * rounding (every half keeps a multiple of round_to); 'whole-group' ranks all channels together, keeping
     * min(min_channels, size) per part, so halves may end up unequal.
     */
    segment_mode: z.enum(['per-segment', 'whole-group']).default('per-segment'),
    global_ratio: ratio.optional(),
    stages: z
      .object({ backbone: ratio.optional(), neck: ratio.optional(), head: ratio.optional() })
      .strict()
      .optional(),
    /** By ultralytics module, `model.6` or `6`. */
    modules: units.optional(),
    /**
     * Module granularity: the hidden width of a module (C2f's cv1 + bottlenecks, SPPF's cv1, the intermediate
     * convs of each Detect branch): groups whose channels never leave the module. By `model.N` or `N`.
     */
    module_hidden: units.optional(),
    /** Per dependency group (granularity `group`), by group id (the root conv's node name). */
    groups: units.optional(),
    /** Explicit channel indices to remove, by group id. Written by the engine into applied plans. */
    channels: z.record(z.string(), z.array(z.number().int().min(0))).optional(),
    /** Blocks removed whole (granularity `block`: C2f bottlenecks, C3k, PSA blocks), e.g. `model.2.m.0`. */
    blocks: z.array(z.string()).optional(),
    /** Set on plans the engine saved: what they were derived from, for the record. */
    applied_from: z.unknown().optional(),
  })
  .strict();

export type Plan = z.output<typeof PlanSchema>;

/** Plan keys renamed to the granularity that writes them: a plan file with an old key is refused, naming the new. */
export const RENAMED_PLAN_KEYS = { layers: 'groups', drop_bottlenecks: 'blocks' } as const;
export type PlanInput = z.input<typeof PlanSchema>;
