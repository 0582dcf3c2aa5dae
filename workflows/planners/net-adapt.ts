import { ApplicationFailure, continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ArtifactRef } from '../../common/artifact-ref';
import type { SearchPoint } from '../../common/compress-result';
import { selectionSplit } from '../../common/data-split';
import { forEachConcurrent } from '../../core/for-each-concurrent';
import { decrementAt } from '../../core/search/netadapt';
import {
  evaluationActivity,
  measurementActivity,
  shortActivity,
  trainingActivity,
} from '../activity-options';
import type { PlannerInput, PrunedResult } from './planner';

/** What carries over a continue-as-new: references and numbers only. */
export interface NetAdaptState {
  table: ArtifactRef;
  budgetMs: number;
  baseMs: number;
  iteration: number;
  current: ArtifactRef;
  currentMs: number;
  /** The stored plan of each accepted step, in order. */
  steps: ArtifactRef[];
  points: SearchPoint[];
}

/**
 * NetAdapt (Yang et al. 2018) as a planner: measure the model's latency table once (reused across runs),
 * then iterate toward the budget. Each iteration every group proposes its smallest cut that lowers the
 * predicted latency by the decrement; the cheapest proposals are pruned, fine-tuned briefly from the
 * original and scored on a held-out subset of the calibration split, the most accurate is kept and its
 * latency measured. Every step is a memoized activity, so a killed worker costs at most one proposal.
 * The result is the pruned model itself: compressModel's long fine-tune follows.
 */
export async function netAdapt(
  input: PlannerInput<'netadapt'>,
  resumed?: NetAdaptState,
): Promise<PrunedResult> {
  const o = input.options;
  const p = o.planner;
  // Latency is measured where the model is served: the CPU provider on the cpu queue, CUDA on the gpu queue.
  const measureQueue = o.evaluation.provider === 'cuda' ? input.queues.gpu : input.queues.cpu;
  const measure = proxyActivities<Activities>({ ...measurementActivity, taskQueue: measureQueue });
  const cpu = proxyActivities<Activities>({ ...shortActivity, taskQueue: input.queues.cpu });
  const evaluation = proxyActivities<Activities>({ ...evaluationActivity, taskQueue: input.queues.gpu });
  const train = proxyActivities<Activities>({
    ...trainingActivity,
    heartbeatTimeout: `${o.finetune.heartbeatTimeoutSeconds} seconds`,
    taskQueue: input.queues.gpu,
  });
  const settings = {
    provider: o.evaluation.provider,
    threads: p.threads,
    batch: p.batch,
    imgsz: o.evaluation.imgsz ?? (await cpu.modelInputSize({ model: input.model })),
    runs: p.runs,
  };

  let state = resumed;
  if (!state) {
    const table = await measure.latencyTable({
      ...settings,
      model: input.model,
      widthsPerUnit: p.widthsPerUnit,
      roundTo: o.roundTo,
    });
    const base = await measure.measureLatency({ ...settings, model: input.model });
    const budgetMs =
      o.target.latencyMs ??
      (p.latencyReduction !== undefined ? base.medianMs * (1 - p.latencyReduction) : NaN);
    if (!(budgetMs > 0)) throw budgetMissing();
    state = {
      table: table.table,
      budgetMs,
      baseMs: base.medianMs,
      iteration: 0,
      current: input.model,
      currentMs: base.medianMs,
      steps: [],
      points: [
        {
          step: 0,
          latencyMs: base.medianMs,
          predictedLatencyMs: table.baseMs,
          accepted: true,
          label: 'base',
        },
      ],
    };
  }

  for (let run = 0; state.currentMs > state.budgetMs; run++) {
    if (state.iteration >= p.maxIterations) break;
    if (run >= p.continueEvery) await continueAsNew<typeof netAdapt>(input, state);
    const decrementMs = decrementAt(p.decrement * state.baseMs, p.decay, state.iteration);
    const { proposals } = await cpu.netAdaptProposals({
      model: state.current,
      table: state.table,
      decrementMs,
      topK: p.proposals,
      criterion: o.criterion,
      roundTo: o.roundTo,
    });
    if (proposals.length === 0) throw cannotGoFaster(state.currentMs, state.budgetMs);
    const results = new Array<{ map50_95: number; model: ArtifactRef; plan: ArtifactRef } | undefined>(
      proposals.length,
    );
    await forEachConcurrent(
      proposals.map((prop, i) => ({ prop, i })),
      Math.max(1, Math.min(proposals.length, 4)),
      async ({ prop, i }) => {
        const pruned = await cpu.applyPruning({
          model: state!.current,
          plan: prop.plan,
          imgsz: settings.imgsz,
        });
        const tuned =
          p.finetuneSteps > 0
            ? (
                await train.finetune({
                  student: pruned.model,
                  teacher: input.teacher,
                  dataset: input.dataset,
                  split: o.splits.finetune,
                  // A short fine-tune: at most one epoch, no warm-up.
                  options: { ...o.finetune, epochs: 1, maxSteps: p.finetuneSteps },
                })
              ).model
            : pruned.model;
        const scored = await evaluation.evaluateModel({
          model: tuned,
          dataset: input.dataset,
          split: selectionSplit(o.splits),
          imgsz: settings.imgsz,
          provider: o.evaluation.provider,
          maxImages: p.calibrationImages,
          latencyRuns: 0,
          threads: 1,
        });
        results[i] = { map50_95: scored.map50_95, model: tuned, plan: pruned.appliedPlan };
      },
    );
    let best = 0;
    results.forEach((r, i) => {
      if (r!.map50_95 > results[best]!.map50_95) best = i;
    });
    const chosen = results[best]!;
    const measured = await measure.measureLatency({ ...settings, model: chosen.model });
    state.iteration++;
    proposals.forEach((prop, i) => {
      const r = results[i]!;
      state!.points.push({
        step: state!.iteration,
        predictedLatencyMs: prop.predictedMs,
        map50_95: r.map50_95,
        accepted: i === best,
        label: `${prop.unit} ${prop.from}→${prop.to}`,
        ...(i === best ? { latencyMs: measured.medianMs } : {}),
      });
    });
    state.current = chosen.model;
    state.currentMs = measured.medianMs;
    state.steps.push(chosen.plan);
  }

  const summary = await cpu.netAdaptSummary({
    original: input.model,
    final: state.current,
    steps: state.steps,
    criterion: o.criterion,
    roundTo: o.roundTo,
    imgsz: settings.imgsz,
  });
  return {
    kind: 'pruned',
    plan: summary.plan,
    ref: summary.ref,
    pruned: { model: state.current, appliedPlan: summary.ref, stats: summary.stats },
    search: [{ kind: 'netadapt', points: state.points }],
  };
}

function cannotGoFaster(currentMs: number, budgetMs: number): Error {
  return ApplicationFailure.create({
    type: 'PLAN_TARGET_UNREACHABLE',
    nonRetryable: true,
    message: `netadapt cannot reach ${budgetMs.toFixed(2)} ms: at ${currentMs.toFixed(2)} ms no prunable group can lower the predicted latency measurably (the decrement was halved down to the table's resolution)`,
  });
}

function budgetMissing(): Error {
  return ApplicationFailure.create({
    type: 'PLAN_TARGET_INVALID',
    nonRetryable: true,
    message: 'the netadapt planner needs target.latencyMs or planner.latencyReduction',
  });
}
