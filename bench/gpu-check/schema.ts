// The JSON each part of bench/gpu-check.sh writes: one file per part, validated by these schemas
// (test/bench/gpu-check.test.ts checks schema examples with placeholder figures and both parts' dry-run output
// against them). A figure that could not be measured is an entry with `ok: false` and the reason, never a
// missing key.
import { z } from 'zod';

const nonNeg = z.number().finite().nonnegative();
const positive = z.number().finite().positive();
const precision = z.enum(['fp32', 'fp16']);
const mode = z.enum(['full', 'dry-run']);

const modelEntry = z.strictObject({
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  params: z.number().int().positive(),
  flops: positive,
});

const models = z.strictObject({
  imgsz: z.number().int().positive(),
  base: modelEntry,
  pruned: modelEntry,
  /** base FLOPs ÷ pruned FLOPs (≈ 2 for −50%); `params` and `flops` are deploy-form (BN folded), as timed. */
  flops_factor: positive,
});

export const failureSchema = z.strictObject({
  code: z.string().min(1),
  message: z.string().min(1),
  /** EP_UNAVAILABLE's reason (provider-missing, library-missing, no-device, session-failed). */
  reason: z.string().optional(),
  missing: z.array(z.string()).optional(),
});

export type GpuCheckFailure = z.infer<typeof failureSchema>;

const gpu = z.strictObject({ name: z.string().min(1), memory_mib: nonNeg });

const latencyFigures = {
  batch: z.number().int().positive(),
  runs: z.number().int().positive(),
  median_ms: positive,
  p90_ms: positive,
  images_per_s: positive,
};

/** Realized speed-up of the pruned model over the base at one setting, against the FLOPs factor. */
const speedup = z.strictObject({
  device: z.string().min(1),
  precision,
  batch: z.number().int().positive(),
  base_ms: positive,
  pruned_ms: positive,
  /** base_ms ÷ pruned_ms. */
  speedup: positive,
  flops_factor: positive,
  /** speedup ÷ flops_factor: 1 when latency falls as FLOPs do. */
  efficiency: positive,
});

// ---- part (a): Python only (trainer on CUDA with AMP; latency through the trainer's ONNX→torch module) ----

const finetuneRun = z.strictObject({
  device: z.enum(['cuda', 'cpu']),
  amp: z.boolean(),
  imgsz: z.number().int().positive(),
  batch: z.number().int().positive(),
  workers: z.number().int().nonnegative(),
  steps: z.number().int().positive(),
  images: z.number().int().positive(),
  seconds: positive,
  /** images ÷ seconds of the trainer's step loop (its `done` event). */
  images_per_s: positive,
  /** Mean of the progress windows after the first (cuDNN autotuning and loader start-up excluded). */
  images_per_s_steady: positive.nullable(),
});

const torchLatency = z.discriminatedUnion('ok', [
  z.strictObject({
    ok: z.literal(true),
    model: z.enum(['base', 'pruned']),
    device: z.string(),
    precision,
    ...latencyFigures,
  }),
  z.strictObject({
    ok: z.literal(false),
    model: z.enum(['base', 'pruned']),
    device: z.string(),
    precision,
    batch: z.number().int().positive(),
    reason: z.string().min(1),
  }),
]);

export const gpuCheckPythonSchema = z.strictObject({
  schema: z.literal('stageprune-gpu-check-python'),
  version: z.literal(1),
  mode,
  /** ok: every measurement was made; partial: some failed or were skipped (see errors); failed: none. */
  status: z.enum(['ok', 'partial', 'failed']),
  started_at: z.iso.datetime(),
  seconds: nonNeg,
  environment: z.strictObject({
    python: z.string(),
    torch: z.string().nullable(),
    cuda: z.string().nullable(),
    device: z.enum(['cuda', 'cpu']),
    gpu: gpu.nullable(),
    cpu_count: z.number().int().positive(),
  }),
  models: models.nullable(),
  finetune: z.strictObject({
    device: finetuneRun.nullable(),
    /** The same fine-tune on this machine's CPU for a few steps: the figure the GPU is compared with. */
    cpu: finetuneRun.nullable(),
    speedup_vs_cpu: positive.nullable(),
  }),
  latency: z.array(torchLatency),
  speedup: z.array(speedup),
  errors: z.array(z.string()),
});
export type GpuCheckPython = z.infer<typeof gpuCheckPythonSchema>;

// ---- part (b): onnxruntime-node (evaluation on CPU and CUDA, fp32 and fp16; latency) ----

const evaluation = z.discriminatedUnion('ok', [
  z.strictObject({
    ok: z.literal(true),
    ep: z.enum(['cpu', 'cuda']),
    precision,
    images: z.number().int().positive(),
    batch: z.number().int().positive(),
    map50_95: z.number().min(0).max(1),
    map50: z.number().min(0).max(1),
    images_per_s: positive,
    /** Sum of session.run times: the provider's share of the images/s. */
    inference_ms: positive,
  }),
  z.strictObject({ ok: z.literal(false), ep: z.enum(['cpu', 'cuda']), precision, error: failureSchema }),
]);

const ortLatency = z.discriminatedUnion('ok', [
  z.strictObject({
    ok: z.literal(true),
    model: z.enum(['base', 'pruned']),
    ep: z.enum(['cpu', 'cuda']),
    precision,
    ...latencyFigures,
  }),
  z.strictObject({
    ok: z.literal(false),
    model: z.enum(['base', 'pruned']),
    ep: z.enum(['cpu', 'cuda']),
    precision,
    batch: z.number().int().positive(),
    error: failureSchema,
  }),
]);

export const gpuCheckNodeSchema = z.strictObject({
  schema: z.literal('stageprune-gpu-check-node'),
  version: z.literal(1),
  mode,
  status: z.enum(['ok', 'partial', 'failed']),
  started_at: z.iso.datetime(),
  seconds: nonNeg,
  environment: z.strictObject({
    node: z.string(),
    onnxruntime_node: z.string(),
    cuda: z.strictObject({ state: z.string(), detail: z.string() }),
    gpus: z.array(gpu),
  }),
  models: models,
  evaluation: z.array(evaluation),
  /** Every evaluation that ran against cpu/fp32: mAP50-95 and mAP50 must agree within the tolerance. */
  agreement: z.strictObject({
    reference: z.literal('cpu/fp32'),
    tolerance: positive,
    compared: z.array(z.string()),
    max_abs_diff: nonNeg.nullable(),
    agree: z.boolean().nullable(),
  }),
  latency: z.array(ortLatency),
  speedup: z.array(speedup),
  errors: z.array(z.string()),
});
export type GpuCheckNode = z.infer<typeof gpuCheckNodeSchema>;
