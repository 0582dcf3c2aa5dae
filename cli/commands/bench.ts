import { z } from 'zod';
import type { CliCommand } from '../command';
import { CliUsageError, parseFlags } from '../args';
import { openDetector } from '../../runtime/inference';
import { InferenceError } from '../../runtime/inference-error';
import { benchmarkLatency, type LatencyResult } from '../../runtime/latency';
import { modelCost } from '../../runtime/model-cost';
import { modelMetadata } from '../../runtime/model-metadata';
import { epFlag, positiveInt } from './flags';

const usage = `usage: stageprune bench MODEL [--imgsz 640] [--batch 1 | --batches 1,8,32] [--runs 50] [--warmup 10] [--threads N] [--ep cpu|cuda] [--json]
  Inference latency of an ONNX detector: warm-up runs, then N timed runs; median and p90 per batch,
  throughput in images/s at the median, and the model's parameters and FLOPs (ultralytics conventions,
  per image, deploy form: BN counted as folded, whatever form the file is in). --ep cuda fails with EP_UNAVAILABLE naming what is missing (the provider, a CUDA library, or a
  device) where it cannot run. --batches measures several batch sizes with one session (a model with a
  dynamic batch).
  --json prints {"latency_ms": {"median", "p90"}, "throughput_ips", "flops", "params"}; with --batches,
  {"batches": [{"batch", "latency_ms": {"median", "p90"}, "throughput_ips"}], "flops", "params"}.`;

const batchList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined) return undefined;
    if (!/^[1-9]\d*(,[1-9]\d*)*$/.test(v)) {
      ctx.addIssue({
        code: 'custom',
        message: `batches must be positive integers separated by commas, got '${v}'`,
      });
      return z.NEVER;
    }
    return v.split(',').map(Number);
  });

const schema = z.object({
  imgsz: positiveInt('imgsz'),
  batch: positiveInt('batch'),
  batches: batchList,
  runs: positiveInt('runs'),
  warmup: z.string().regex(/^\d+$/, 'must be a non-negative integer').transform(Number).optional(),
  threads: positiveInt('threads'),
  ep: epFlag,
  json: z.boolean().default(false),
});

export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'inference latency (median, p90), throughput, params and FLOPs of an ONNX detector',
  usage,
  async run(args) {
    const { flags, positionals } = parseFlags(
      args,
      {
        imgsz: { type: 'string' },
        batch: { type: 'string' },
        batches: { type: 'string' },
        runs: { type: 'string' },
        warmup: { type: 'string' },
        threads: { type: 'string' },
        ep: { type: 'string' },
        json: { type: 'boolean' },
      },
      schema,
    );
    if (positionals.length !== 1)
      throw new CliUsageError(`expected one MODEL argument, got ${positionals.length}\n${usage}`);
    const modelPath = positionals[0]!;
    const detector = await openDetector(modelPath, {
      ep: flags.ep,
      graphOptimizationLevel: 'all',
      ...(flags.threads ? { intraOpThreads: flags.threads } : {}),
    });
    try {
      const imgsz = flags.imgsz ?? detector.fixedImgsz ?? modelMetadata(modelPath).imgsz ?? 640;
      if (flags.batch !== undefined && flags.batches !== undefined)
        throw new CliUsageError('use only one of --batch and --batches');
      const batches = flags.batches ?? [flags.batch ?? 1];
      if (detector.fixedImgsz !== null && detector.fixedImgsz !== imgsz) {
        throw new InferenceError(
          'MODEL_INPUT_MISMATCH',
          `${modelPath}: the model's input is fixed at ${detector.fixedImgsz}, --imgsz is ${imgsz}`,
        );
      }
      for (const batch of batches) {
        if (detector.fixedBatch !== null && detector.fixedBatch !== batch) {
          throw new InferenceError(
            'MODEL_INPUT_MISMATCH',
            `${modelPath}: the model's batch is fixed at ${detector.fixedBatch}, --batch is ${batch}`,
          );
        }
      }
      const results = [];
      for (const batch of batches) {
        results.push(
          await benchmarkLatency(detector, {
            batch,
            imgsz,
            warmup: flags.warmup ?? 10,
            runs: flags.runs ?? 50,
          }),
        );
      }
      const cost = modelCost(modelPath, imgsz);
      if (flags.json) {
        const figures = (r: LatencyResult) => ({
          latency_ms: { median: r.medianMs, p90: r.p90Ms },
          throughput_ips: r.throughputIps,
        });
        console.log(
          JSON.stringify(
            flags.batches
              ? {
                  batches: results.map((r) => ({ batch: r.batch, ...figures(r) })),
                  flops: cost.flops,
                  params: cost.params,
                }
              : { ...figures(results[0]!), flops: cost.flops, params: cost.params },
          ),
        );
      } else {
        for (const r of results) {
          console.log(
            [
              `${modelPath}: ep ${r.ep}, threads ${r.threads ?? 'default'}, batch ${r.batch}, imgsz ${imgsz}, ${r.warmup} warm-up + ${r.runs} timed runs`,
              `latency median ${r.medianMs.toFixed(2)} ms, p90 ${r.p90Ms.toFixed(2)} ms, min ${r.minMs.toFixed(2)} ms`,
              `throughput ${r.throughputIps.toFixed(2)} images/s`,
            ].join('\n'),
          );
        }
        console.log(
          `params ${cost.params ?? 'n/a'}, GFLOPs ${cost.flops === null ? 'n/a' : (cost.flops / 1e9).toFixed(3)} (deploy form, BN folded)${cost.note ? ` (${cost.note})` : ''}`,
        );
      }
      return 0;
    } finally {
      await detector.release();
    }
  },
};
