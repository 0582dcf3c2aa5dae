import { z } from 'zod';
import { CRITERIA } from '../core/pruning/importance/criterion';
import { GRANULARITIES, type Granularity } from '../core/planning/unit-plans';
import { DEFAULT_STAGES } from '../core/pruning/plan/parse-plan';
import { OBSERVER_KINDS, type ObserverKind } from '../core/quantize/observers';
import { dataSplitSchema, seedSchema, type RunSplits } from './data-split';

/** What the input's model and data URIs look like: `s3://bucket/key`, the bucket and the key captured. */
export const S3_URI_PATTERN = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.*)$/;

/**
 * The input of `compressModel`: what users send from the Temporal CLI (`--input '<json>'`), the typed
 * client and our CLI. One schema, exported for clients and published as JSON Schema in docs/.
 */
const s3Uri = z.string().refine((s) => S3_URI_PATTERN.test(s), { message: 'expected s3://bucket/key' });
const ratio = z.number().min(0).lt(1);

/** The pruning criteria, from the engine's one list (core/pruning/importance/criterion.ts). */
export const CRITERION_NAMES = CRITERIA;

/** The granularities (core/planning/unit-plans.ts): each names the plan key its plans write. */
export { GRANULARITIES };

/** Granularities' names before they matched the plan's keys: an input naming one is read as the new name. */
const RENAMED_GRANULARITIES = { channel: 'group', layer: 'block' } as const;

/**
 * How the plan is applied: `steps` prune steps toward the final target (1: at once; more: Torch-Pruning's
 * iterative recipe), each but the last followed by a short CWD fine-tune of `finetuneEpochs`.
 */
export const scheduleSchema = z
  .object({
    steps: z.number().int().min(1).max(20).default(1),
    finetuneEpochs: z.number().int().min(0).max(100).default(2),
  })
  .strict();

/**
 * Network Slimming before planning: `epochs` of fine-tuning from the original with an L1 penalty `l1` on every
 * BatchNormalization γ (the paper's λ is 1e-4 to 1e-5 for detection-sized runs), so that `bn-gamma` then finds
 * channels that are already near zero.
 */
export const quantizeSchema = z
  .object({
    format: z.literal('int8'),
    observer: z.enum(OBSERVER_KINDS as [ObserverKind, ...ObserverKind[]]).default('minmax'),
    /** Activations' type; weights are always int8 per output channel. */
    activations: z.enum(['uint8', 'int8']).default('uint8'),
    /** Accuracy control: the largest mAP50-95 drop against the float model on the selection split, points. */
    maxDropPoints: z.number().min(0).max(100).default(0.5),
    calibrationImages: z.number().int().positive().max(4096).default(64),
  })
  .strict();

export const sparsifySchema = z
  .object({
    epochs: z.number().int().min(1).max(1000).default(10),
    l1: z.number().positive().max(0.1).default(1e-4),
  })
  .strict();

export const plannerSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('staged'),
    stages: z
      .object({
        backbone: ratio.default(DEFAULT_STAGES.backbone),
        neck: ratio.default(DEFAULT_STAGES.neck),
        head: ratio.default(DEFAULT_STAGES.head),
      })
      .default({ ...DEFAULT_STAGES }),
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
    /**
     * The most any unit of a part (backbone, neck, head) may lose. Default: the YOLOv5 review's safe bounds
     * (REVIEW_PART_BOUNDS); where they stop this planner is in docs/PIPELINE.md, larger targets need wider ones.
     */
    stageBounds: z
      .object({ backbone: ratio.positive(), neck: ratio.positive(), head: ratio.positive() })
      .strict()
      .optional(),
  }),
  /**
   * AMC (He et al. 2018): per-unit ratios (units by `granularity`: `channel` or `module`) learned by a DDPG
   * agent under the FLOPs/params target; `agent: random` is random search over the same actions, constraint
   * and evaluation (the baseline). Rewards: mAP50-95 of the pruned, not fine-tuned model on the first
   * `calibrationImages` of the calibration split, BN statistics re-estimated on the `bnImages` after them.
   */
  z.object({
    kind: z.literal('amc'),
    agent: z.enum(['ddpg', 'random']).default('ddpg'),
    episodes: z.number().int().min(1).max(5000).default(200),
    /** Episodes evaluated in parallel between two agent updates. */
    batch: z.number().int().min(1).max(64).default(8),
    /** Episodes of uniformly random actions before the agent acts (AMC: a quarter of the search). */
    warmup: z.number().int().min(0).max(5000).default(50),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31)
      .default(0),
    /** The largest ratio any unit may get (AMC's a_max). */
    maxRatio: ratio.positive().default(0.8),
    /** Units in each of the actor's and critic's two hidden layers (AMC: 300). */
    hidden: z.number().int().min(4).max(300).default(64),
    actorLr: z.number().positive().max(1).default(1e-4),
    criticLr: z.number().positive().max(1).default(1e-3),
    /** Exploration σ (truncated normal) after warm-up, multiplied by noiseDecay each episode. */
    initNoise: z.number().positive().max(2).default(0.5),
    noiseDecay: z.number().positive().max(1).default(0.95),
    /** Minibatch updates per episode after warm-up; 0: one per unit. */
    updatesPerEpisode: z.number().int().min(0).max(1000).default(0),
    calibrationImages: z.number().int().min(1).max(1000).default(32),
    bnImages: z.number().int().min(0).max(256).default(8),
    /** Batches per workflow run before continue-as-new. */
    continueEvery: z.number().int().min(1).max(1000).default(10),
  }),
  /**
   * NetAdapt (Yang et al. 2018): toward the latency budget (`target.latencyMs`, or `latencyReduction` of the
   * measured baseline) in iterations; each, every dependency group proposes the smallest cut that lowers
   * the latency its table predicts by the decrement (a fraction of the baseline, times decay^iteration),
   * the `proposals` cheapest per channel are pruned, fine-tuned `finetuneSteps` and scored on
   * `evalImages` of the calibration split, and the best is kept. Latency is measured on the queue that
   * serves the evaluation provider, `threads` intra-op threads, batch `batch`.
   */
  z.object({
    kind: z.literal('netadapt'),
    latencyReduction: ratio.positive().optional(),
    decrement: z.number().positive().max(0.5).default(0.04),
    decay: z.number().positive().max(1).default(0.96),
    proposals: z.number().int().min(1).max(500).default(8),
    finetuneSteps: z.number().int().min(0).max(10000).default(20),
    calibrationImages: z.number().int().min(1).max(1000).default(32),
    /** The old name of `calibrationImages`, read as it. */
    evalImages: z.number().int().min(1).max(1000).optional(),
    maxIterations: z.number().int().min(1).max(500).default(40),
    threads: z.number().int().min(1).max(256).default(1),
    batch: z.number().int().min(1).max(256).default(1),
    /** Timed runs per latency measurement (median). */
    runs: z.number().int().min(3).max(1000).default(15),
    /** Candidate widths per group in the latency table. */
    widthsPerUnit: z.number().int().min(1).max(256).default(8),
    /** Iterations per workflow run before continue-as-new. */
    continueEvery: z.number().int().min(1).max(100).default(5),
  }),
]);

export const targetSchema = z
  .object({
    /**
     * Reductions the planners meet, but `netadapt` (latency only): `staged`/`uniform` scale their ratios
     * (proportions kept) until the pruned model meets them; `sensitivity` allocates per-unit ratios and `amc`
     * clips its actions to meet them. Fraction of FLOPs to remove, e.g. 0.5.
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
    /**
     * Which images do what (common/data-split.ts resolveRunSplits). `selection` is where every choice is made
     * (sensitivity scans, search rewards, planner checks, hrank's images); it is neither fine-tuned on nor
     * reported, and exists only in runs with a stage that chooses on it (common/selection-use.ts). Unset, it is
     * the data set's `selection` split where it has one, else `selectionImages` images held out of the
     * fine-tune split by a seeded hash (`selectionSeed`), which the fine-tune then never sees. `evaluation`
     * unset: `test`, else (no test split) `val`, as ultralytics' val; `finetune` unset: `trainval`, else `train`.
     */
    splits: z
      .object({
        selection: dataSplitSchema.optional(),
        selectionImages: z.number().int().min(1).max(100_000).default(64),
        selectionSeed: seedSchema.default(0),
        finetune: dataSplitSchema.optional(),
        evaluation: dataSplitSchema.optional(),
      })
      .default({ selectionImages: 64, selectionSeed: 0 }),
    target: targetSchema.default({}),
    planner: plannerSchema.default({ kind: 'staged', stages: { ...DEFAULT_STAGES } }),
    criterion: z.enum(CRITERION_NAMES).default('l1'),
    /** Old names (`channel`, `layer`) are read as their new ones (`group`, `block`). */
    granularity: z
      .enum([
        ...GRANULARITIES,
        ...(Object.keys(RENAMED_GRANULARITIES) as (keyof typeof RENAMED_GRANULARITIES)[]),
      ])
      .default('module'),
    schedule: scheduleSchema.default({ steps: 1, finetuneEpochs: 2 }),
    /** Optional Network Slimming stage before planning (with criterion `bn-gamma`). */
    sparsify: sparsifySchema.optional(),
    /** Optional post-training INT8 of the exported model, calibrated and checked on the selection split. */
    quantize: quantizeSchema.optional(),
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
        /** Data order, augmentation and adapter initialisation; results are compared over several seeds. */
        seed: seedSchema.default(0),
        cwdTau: z.number().positive().default(1),
        cwdWeight: z.number().nonnegative().default(10),
        /** CWD on the head's class-logit and box-distribution maps too (same τ), at this weight; 0 = off. */
        cwdHeadWeight: z.number().nonnegative().default(0),
        /** The optimiser's initial learning rate; unset: the trainer's (0.01, ultralytics' SGD default). */
        lr0: z.number().positive().max(10).optional(),
        /** The LR the bias group's warmup starts from; unset: the trainer's (0.1, ultralytics'). */
        warmupBiasLr: z.number().min(0).max(10).optional(),
        /** Distillation of the head's outputs; unset: the trainer's (10 without labels, 0 with them). */
        outputWeight: z.number().min(0).max(1000).optional(),
        labels: z.boolean().default(true),
        device: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
        checkpointEvery: z.number().int().positive().default(50),
        /** A trainer or worker silent this long is declared dead and the step retried from its checkpoint. */
        heartbeatTimeoutSeconds: z.number().int().min(5).max(3600).default(120),
      })
      .default({
        epochs: 10,
        batch: 16,
        seed: 0,
        cwdTau: 1,
        cwdWeight: 10,
        cwdHeadWeight: 0,
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
  .strict()
  .superRefine((v, ctx) => {
    if (v.granularity === 'mixed' && v.planner.kind !== 'sensitivity')
      ctx.addIssue({
        code: 'custom',
        path: ['granularity'],
        message: 'granularity mixed is planned by the sensitivity planner (it measures the mixes it scans)',
      });
    // NetAdapt is latency-driven: it needs a budget to walk toward.
    if (
      v.planner.kind === 'netadapt' &&
      v.target.latencyMs === undefined &&
      v.planner.latencyReduction === undefined
    )
      ctx.addIssue({
        code: 'custom',
        path: ['planner', 'latencyReduction'],
        message: 'the netadapt planner needs target.latencyMs or planner.latencyReduction',
      });
  })
  .transform(({ granularity, planner, ...rest }) => ({
    ...rest,
    granularity: granularityNamed(granularity),
    planner: plannerNamed(planner),
  }));

function granularityNamed(name: Granularity | keyof typeof RENAMED_GRANULARITIES): Granularity {
  return name in RENAMED_GRANULARITIES
    ? RENAMED_GRANULARITIES[name as keyof typeof RENAMED_GRANULARITIES]
    : (name as Granularity);
}

function plannerNamed(planner: z.output<typeof plannerSchema>) {
  if (planner.kind !== 'netadapt') return planner;
  const { evalImages, ...named } = planner;
  return { ...named, calibrationImages: evalImages ?? named.calibrationImages };
}

export type CompressModelInput = z.input<typeof compressModelInputSchema>;
export type CompressModelOptions = z.output<typeof compressModelInputSchema>;

/** What a run's stages read: the input with its splits resolved (`importDataset`, common/data-split.ts). */
export type RunOptions = Omit<CompressModelOptions, 'splits'> & { splits: RunSplits };
export type Planner = CompressModelOptions['planner'];
