import { z } from 'zod';
import { parseS3Uri } from './s3-uri';

/**
 * The input of `compressModel`: what users send from the Temporal CLI (`--input '<json>'`), the typed
 * client and our CLI. One schema, exported for clients and published as JSON Schema in docs/.
 */
const s3Uri = z.string().refine((s) => parseS3Uri(s) !== undefined, { message: 'expected s3://bucket/key' });
const ratio = z.number().min(0).lt(1);

export const CRITERION_NAMES = ['l1', 'l2', 'bn-gamma', 'fpgm', 'random', 'hrank', 'nisp', 'taylor'] as const;

export const plannerSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('staged'),
    stages: z
      .object({ backbone: ratio.default(0.3), neck: ratio.default(0.2), head: ratio.default(0.1) })
      .default({ backbone: 0.3, neck: 0.2, head: 0.1 }),
  }),
  z.object({ kind: z.literal('uniform'), ratio: ratio.default(0.3) }),
  z.object({
    kind: z.literal('sensitivity'),
    /** Ratios each unit is pruned at, alone, during the scan. */
    scanRatios: z.array(ratio.positive()).min(1).max(10).default([0.1, 0.3, 0.5, 0.7]),
    /** Images of the calibration split the scan evaluates on. */
    calibrationImages: z.number().int().min(1).max(1000).default(16),
    /** Concurrent scan activities (bounded fan-out). */
    concurrency: z.number().int().min(1).max(64).default(4),
  }),
]);

export const targetSchema = z
  .object({
    /**
     * Reductions every planner meets: `staged`/`uniform` scale their ratios (proportions kept) until the
     * pruned model meets them; `sensitivity` allocates per-unit ratios to meet them. Fraction of FLOPs to
     * remove, e.g. 0.5.
     */
    flopsReduction: ratio.positive().optional(),
    paramsReduction: ratio.positive().optional(),
    /**
     * Latency budget (median ms, batch 1, on the evaluation provider, as `bench` measures): planned as the
     * FLOPs reduction 1 − budget / measured baseline latency, and checked on the compressed model.
     */
    latencyMs: z.number().positive().optional(),
  })
  .strict();

export const compressModelInputSchema = z
  .object({
    /** The ONNX model to compress (train-form or ultralytics deploy-form). */
    model: s3Uri,
    /** A short name for search attributes and the report; default: the model's file name. */
    modelName: z.string().min(1).max(200).optional(),
    /** Dataset folder in S3 (VOC layout, YOLO txt or COCO JSON), as a prefix ending in `/`. */
    data: s3Uri,
    splits: z
      .object({
        calibration: z.string().default('val'),
        finetune: z.string().default('trainval'),
        evaluation: z.string().default('test'),
      })
      .default({ calibration: 'val', finetune: 'trainval', evaluation: 'test' }),
    target: targetSchema.default({}),
    planner: plannerSchema.default({ kind: 'staged', stages: { backbone: 0.3, neck: 0.2, head: 0.1 } }),
    criterion: z.enum(CRITERION_NAMES).default('l1'),
    granularity: z.enum(['channel', 'layer', 'module']).default('channel'),
    /** Data the data-driven criteria read. */
    importance: z
      .object({
        /** hrank: images of the calibration split whose feature-map ranks score the channels. */
        calibrationImages: z.number().int().min(1).max(1000).default(16),
        /** taylor: batches of the fine-tune split the detection-loss gradients are accumulated over. */
        taylorBatches: z.number().int().min(1).max(1000).default(8),
      })
      .default({ calibrationImages: 16, taylorBatches: 8 }),
    roundTo: z.number().int().min(1).max(256).default(8),
    finetune: z
      .object({
        epochs: z.number().int().min(0).max(1000).default(10),
        /** Cap on optimiser steps (small demo budgets). */
        maxSteps: z.number().int().positive().optional(),
        /** Default: the model's own input size. */
        imgsz: z.number().int().min(32).max(1280).optional(),
        batch: z.number().int().min(1).max(256).default(16),
        cwdTau: z.number().positive().default(1),
        cwdWeight: z.number().nonnegative().default(10),
        labels: z.boolean().default(true),
        device: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
        checkpointEvery: z.number().int().positive().default(50),
        /** A trainer or worker silent this long is declared dead and the step retried from its checkpoint. */
        heartbeatTimeoutSeconds: z.number().int().min(5).max(3600).default(120),
      })
      .default({
        epochs: 10,
        batch: 16,
        cwdTau: 1,
        cwdWeight: 10,
        labels: true,
        device: 'auto',
        checkpointEvery: 50,
        heartbeatTimeoutSeconds: 120,
      }),
    evaluation: z
      .object({
        /** Default: the model's own input size (640 when it is dynamic). */
        imgsz: z.number().int().min(32).max(1280).optional(),
        provider: z.enum(['cpu', 'cuda']).default('cpu'),
        latencyRuns: z.number().int().min(1).max(1000).default(20),
        /** Evaluate on at most this many images (small demo budgets); default all. */
        maxImages: z.number().int().positive().optional(),
      })
      .default({ provider: 'cpu', latencyRuns: 20 }),
    export: z.object({ fp16: z.boolean().default(false) }).default({ fp16: false }),
    /** Wait for an `approvePlan` signal before fine-tuning. */
    requireApproval: z.boolean().default(false),
    taskQueues: z
      .object({ cpu: z.string().min(1).optional(), gpu: z.string().min(1).optional() })
      .default({}),
  })
  .strict();

export type CompressModelInput = z.input<typeof compressModelInputSchema>;
export type CompressModelOptions = z.output<typeof compressModelInputSchema>;
export type Planner = z.output<typeof plannerSchema>;
