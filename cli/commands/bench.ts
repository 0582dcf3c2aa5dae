import { z } from 'zod';
import type { CliCommand } from '../command';
import { CliUsageError, parseFlags } from '../args';
import { openDetector } from '../../runtime/inference';
import { InferenceError } from '../../runtime/inference-error';
import { benchmarkLatency } from '../../runtime/latency';
import { modelCost } from '../../runtime/model-cost';
import { modelMetadata } from '../../runtime/model-metadata';
import { epFlag, positiveInt } from './flags';

const usage = `usage: stageprune bench MODEL [--imgsz 640] [--batch 1] [--runs 50] [--warmup 10] [--threads N] [--ep cpu|cuda] [--json]
  Inference latency of an ONNX detector: warm-up runs, then N timed runs; median and p90 per batch,
  throughput in images/s at the median, and the model's parameters and FLOPs (ultralytics conventions,
  per image). --ep cuda fails with EP_UNAVAILABLE where the CUDA provider is not installed.
  --json prints {"latency_ms": {"median", "p90"}, "throughput_ips", "flops", "params"}.`;

const schema = z.object({
  imgsz: positiveInt('imgsz'),
  batch: positiveInt('batch'),
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
      const batch = flags.batch ?? 1;
      if (detector.fixedImgsz !== null && detector.fixedImgsz !== imgsz) {
        throw new InferenceError(
          'MODEL_INPUT_MISMATCH',
          `${modelPath}: the model's input is fixed at ${detector.fixedImgsz}, --imgsz is ${imgsz}`,
        );
      }
      if (detector.fixedBatch !== null && detector.fixedBatch !== batch) {
        throw new InferenceError(
          'MODEL_INPUT_MISMATCH',
          `${modelPath}: the model's batch is fixed at ${detector.fixedBatch}, --batch is ${batch}`,
        );
      }
      const r = await benchmarkLatency(detector, {
        batch,
        imgsz,
        warmup: flags.warmup ?? 10,
        runs: flags.runs ?? 50,
      });
      const cost = modelCost(modelPath, imgsz);
      if (flags.json) {
        console.log(
          JSON.stringify({
            latency_ms: { median: r.medianMs, p90: r.p90Ms },
            throughput_ips: r.throughputIps,
            flops: cost.flops,
            params: cost.params,
          }),
        );
      } else {
        console.log(
          [
            `${modelPath}: ep ${r.ep}, threads ${r.threads ?? 'default'}, batch ${batch}, imgsz ${imgsz}, ${r.warmup} warm-up + ${r.runs} timed runs`,
            `latency median ${r.medianMs.toFixed(2)} ms, p90 ${r.p90Ms.toFixed(2)} ms, min ${r.minMs.toFixed(2)} ms`,
            `throughput ${r.throughputIps.toFixed(2)} images/s`,
            `params ${cost.params ?? 'n/a'}, GFLOPs ${cost.flops === null ? 'n/a' : (cost.flops / 1e9).toFixed(3)}${cost.note ? ` (${cost.note})` : ''}`,
          ].join('\n'),
        );
      }
      return 0;
    } finally {
      await detector.release();
    }
  },
};
