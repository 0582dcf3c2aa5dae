/**
 * Part (b) of bench/gpu-check.sh: onnxruntime-node on this machine's CPU and CUDA. BCCD test evaluation of
 * the base model in fp32 and fp16 deploy form on both providers (mAP must agree with cpu/fp32 within
 * 0.002), images/s, and latency at batch 1, 8 and 32 of the base and the −50% FLOPs pruned model. An
 * unusable CUDA provider is recorded as the typed EP_UNAVAILABLE it raises (never measured on the CPU
 * instead). Writes one JSON file (bench/gpu-check/schema.ts: gpuCheckNodeSchema).
 *
 *   node --import tsx bench/gpu-check/gpu-check-node.ts --out FILE [--dry-run] [--device cuda|cpu]
 *
 * --dry-run: 8 images, batches 1 and 2, 2 timed runs (seconds on a CPU; what CI runs). --device cpu skips
 * the CUDA measurements (recorded as not asked for); the default asks for both.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { encodeModel } from '../../core/onnx';
import { computeStats } from '../../core/stats';
import { cudaProviderState, describeCudaState, gpuInfo } from '../../runtime/cuda';
import { bccdRoot } from '../../runtime/datasets';
import { evaluateModel } from '../../runtime/evaluate';
import { openDetector, type ExecutionProvider } from '../../runtime/inference';
import { CudaUnavailableError } from '../../runtime/inference-error';
import { benchmarkLatency } from '../../runtime/latency';
import { readModelFile } from '../../runtime/onnx-file';
import { ort } from '../../runtime/ort';
import {
  BASE_MODEL,
  IMGSZ,
  PRUNED_MODEL,
  applyCommittedPlan,
  deployForm,
  repoRelative,
  sha256File,
  withDynamicBatch,
} from './models';
import { gpuCheckNodeSchema, type GpuCheckFailure, type GpuCheckNode } from './schema';

const TOLERANCE = 0.002;
/** Part (b) must finish within 8 minutes; measurements still due after this are skipped, saying so. */
const BUDGET_MS = 7 * 60_000;

type Precision = 'fp32' | 'fp16';
type Failure = GpuCheckFailure;

function failure(err: unknown): Failure {
  const e = err as { code?: string; message?: string; reason?: string; missing?: readonly string[] };
  return {
    code: e.code ?? 'ERROR',
    message: (e.message ?? String(err)).split('\n')[0]!.slice(0, 500),
    ...(err instanceof CudaUnavailableError ? { reason: e.reason!, missing: [...e.missing!] } : {}),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      device: { type: 'string', default: 'cuda' },
    },
  });
  if (!values.out) throw new Error('--out FILE is required');
  if (values.device !== 'cuda' && values.device !== 'cpu') throw new Error('--device must be cuda or cpu');
  const dry = values['dry-run'];
  const started = new Date();
  const t0 = performance.now();
  const errors: string[] = [];
  const overBudget = () => performance.now() - t0 > BUDGET_MS;
  const eps: ExecutionProvider[] = values.device === 'cuda' ? ['cpu', 'cuda'] : ['cpu'];
  if (values.device === 'cpu') errors.push('cuda not measured: --device cpu');

  // Models: deploy forms (fp32, fp16) of the base and pruned models with a dynamic batch, in a temp folder.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-gpu-check-'));
  const files: Record<'base' | 'pruned', Record<Precision, string>> = {
    base: { fp32: '', fp16: '' },
    pruned: { fp32: '', fp16: '' },
  };
  try {
    const trained = readModelFile(BASE_MODEL);
    const dynBase = withDynamicBatch(trained, BASE_MODEL);
    const dynPruned = await applyCommittedPlan(dynBase);
    for (const [name, model] of [
      ['base', dynBase],
      ['pruned', dynPruned],
    ] as const) {
      for (const p of ['fp32', 'fp16'] as const) {
        const file = path.join(work, `${name}-${p}.onnx`);
        fs.writeFileSync(file, encodeModel(deployForm(model, p === 'fp16')));
        files[name][p] = file;
      }
    }
    const entry = (file: string) => {
      const s = computeStats(readModelFile(file), { imgsz: IMGSZ, form: 'deploy' });
      return { file: repoRelative(file), sha256: sha256File(file), params: s.params, flops: s.flops };
    };
    const base = entry(BASE_MODEL);
    const pruned = entry(PRUNED_MODEL);
    const models = { imgsz: IMGSZ, base, pruned, flops_factor: base.flops / pruned.flops };

    // Evaluation: base model, BCCD test split (72 images; 8 in a dry run), every provider and precision.
    const evaluation: GpuCheckNode['evaluation'] = [];
    for (const ep of eps) {
      for (const precision of ['fp32', 'fp16'] as const) {
        if (overBudget()) {
          errors.push(`evaluation ${ep}/${precision} skipped: over the time budget`);
          continue;
        }
        try {
          const r = await evaluateModel({
            model: files.base[precision],
            data: bccdRoot(),
            split: 'test',
            imgsz: IMGSZ,
            batch: 8,
            warmup: true,
            ...(dry ? { limit: 8 } : {}),
            session: { ep, graphOptimizationLevel: 'all' },
          });
          evaluation.push({
            ok: true,
            ep,
            precision,
            images: r.images,
            batch: r.batch,
            map50_95: r.metrics.map50_95,
            map50: r.metrics.map50,
            images_per_s: r.imagesPerS,
            inference_ms: r.timings.inferenceMs,
          });
        } catch (err) {
          evaluation.push({ ok: false, ep, precision, error: failure(err) });
          errors.push(`evaluation ${ep}/${precision}: ${failure(err).message}`);
        }
      }
    }
    const ref = evaluation.find((e) => e.ok && e.ep === 'cpu' && e.precision === 'fp32');
    const others = evaluation.filter((e) => e.ok && e !== ref);
    let maxDiff: number | null = null;
    if (ref && ref.ok) {
      for (const e of others) {
        if (!e.ok) continue;
        const d = Math.max(Math.abs(e.map50_95 - ref.map50_95), Math.abs(e.map50 - ref.map50));
        maxDiff = Math.max(maxDiff ?? 0, d);
      }
    }
    const agreement = {
      reference: 'cpu/fp32' as const,
      tolerance: TOLERANCE,
      compared: others.map((e) => `${e.ep}/${e.precision}`),
      max_abs_diff: maxDiff,
      agree: maxDiff === null ? null : maxDiff <= TOLERANCE,
    };
    if (agreement.agree === false) errors.push(`mAP disagrees with cpu/fp32 by ${maxDiff} (> ${TOLERANCE})`);

    // Latency: both models, every provider and precision, batch 1/8/32 (1/2 in a dry run).
    const batches = dry ? [1, 2] : [1, 8, 32];
    const latency: GpuCheckNode['latency'] = [];
    for (const ep of eps) {
      // A CPU at batch 32 takes ~1 s a run: fewer runs there keep the part inside its budget.
      const runs = dry ? 2 : ep === 'cuda' ? 50 : 10;
      const warmup = dry ? 1 : ep === 'cuda' ? 10 : 3;
      for (const precision of ['fp32', 'fp16'] as const) {
        for (const model of ['base', 'pruned'] as const) {
          let detector: Awaited<ReturnType<typeof openDetector>> | null = null;
          let openError: Failure | null = null;
          try {
            detector = await openDetector(files[model][precision], { ep, graphOptimizationLevel: 'all' });
          } catch (err) {
            openError = failure(err);
          }
          for (const batch of batches) {
            if (!detector || overBudget()) {
              const error = openError ?? { code: 'SKIPPED', message: 'over the time budget' };
              latency.push({ ok: false, model, ep, precision, batch, error });
              continue;
            }
            try {
              const r = await benchmarkLatency(detector, { batch, imgsz: IMGSZ, warmup, runs });
              latency.push({
                ok: true,
                model,
                ep,
                precision,
                batch,
                runs,
                median_ms: r.medianMs,
                p90_ms: r.p90Ms,
                images_per_s: r.throughputIps,
              });
            } catch (err) {
              latency.push({ ok: false, model, ep, precision, batch, error: failure(err) });
            }
          }
          if (openError) errors.push(`latency ${model} ${ep}/${precision}: ${openError.message}`);
          await detector?.release();
        }
      }
    }
    const speedup: GpuCheckNode['speedup'] = [];
    for (const b of latency) {
      if (!b.ok || b.model !== 'base') continue;
      const p = latency.find(
        (l) =>
          l.ok && l.model === 'pruned' && l.ep === b.ep && l.precision === b.precision && l.batch === b.batch,
      );
      if (!p || !p.ok) continue;
      const s = b.median_ms / p.median_ms;
      speedup.push({
        device: b.ep,
        precision: b.precision,
        batch: b.batch,
        base_ms: b.median_ms,
        pruned_ms: p.median_ms,
        speedup: s,
        flops_factor: models.flops_factor,
        efficiency: s / models.flops_factor,
      });
    }

    const state = cudaProviderState();
    const measured = evaluation.filter((e) => e.ok).length + latency.filter((l) => l.ok).length;
    const failed = evaluation.filter((e) => !e.ok).length + latency.filter((l) => !l.ok).length;
    const result: GpuCheckNode = {
      schema: 'stageprune-gpu-check-node',
      version: 1,
      mode: dry ? 'dry-run' : 'full',
      status:
        measured === 0
          ? 'failed'
          : failed > 0 || agreement.agree === false || values.device === 'cpu'
            ? 'partial'
            : 'ok',
      started_at: started.toISOString(),
      seconds: (performance.now() - t0) / 1000,
      environment: {
        node: process.versions.node,
        onnxruntime_node: ort.env.versions.node ?? 'unknown',
        cuda: { state: state.kind, detail: describeCudaState(state) },
        gpus: gpuInfo().map((g) => ({ name: g.name, memory_mib: g.memoryMiB })),
      },
      models,
      evaluation,
      agreement,
      latency,
      speedup,
      errors,
    };
    gpuCheckNodeSchema.parse(result);
    fs.mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
    fs.writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      `gpu-check node: ${result.status}; wrote ${values.out} (${result.seconds.toFixed(1)} s; cuda: ${state.kind})`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
