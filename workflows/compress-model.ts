import {
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  executeChild,
  patched,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { compressModelInputSchema, type CompressModelInput } from '../common/compress-input';
import type {
  CompressModelResult,
  CompressProgress,
  ModelMetrics,
  PipelineStage,
} from '../common/compress-result';
import { TASK_QUEUES } from '../common/constants';
import type { CriterionInputs } from '../common/criterion-inputs';
import { searchKeys } from '../common/search-attributes';
import { evaluationActivity, shortActivity, trainingActivity } from './activity-options';
import { scanSensitivity } from './scan-sensitivity';

export const progressQuery = defineQuery<CompressProgress>('progress');
export const approvePlanSignal = defineSignal<[{ approved: boolean; comment?: string }]>('approvePlan');

/** Rough share of the run each stage ends at, for the progress bar. */
const STAGE_PERCENT: Record<PipelineStage, number> = {
  starting: 0,
  importing: 2,
  'evaluating-baseline': 8,
  'scoring-importance': 10,
  'scanning-sensitivity': 30,
  planning: 32,
  'awaiting-approval': 33,
  pruning: 36,
  'evaluating-pruned': 40,
  finetuning: 85,
  exporting: 88,
  'evaluating-final': 96,
  reporting: 99,
  done: 100,
  failed: 100,
};

function metricsOf(m: ModelMetrics): ModelMetrics {
  return { params: m.params, flops: m.flops, latency_ms: m.latency_ms, map50_95: m.map50_95, map50: m.map50 };
}

/**
 * The durable pipeline: import → baseline evaluation → (sensitivity scan) → plan → (approval) → prune →
 * evaluate → CWD fine-tune → export → evaluate → report. Every step is an activity or child workflow that
 * passes artifact references, so a run survives worker and server restarts.
 */
export async function compressModel(rawInput: CompressModelInput): Promise<CompressModelResult> {
  const parsed = compressModelInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.create({
      type: 'INVALID_INPUT',
      nonRetryable: true,
      message: `compressModel input: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    });
  }
  const input = parsed.data;
  const runId = workflowInfo().workflowId;
  const cpuQueue = input.taskQueues.cpu ?? workflowInfo().taskQueue;
  // Training and evaluation default to the gpu queue (the workflow cannot read STAGEPRUNE_GPU_QUEUE; the
  // client and CLI fill `taskQueues` from it). Runs started before this default existed keep running them
  // on the cpu queue, as they began.
  const gpuQueue = input.taskQueues.gpu ?? (patched('gpu-queue-default') ? TASK_QUEUES.gpu : cpuQueue);
  const cpu = proxyActivities<Activities>({ ...shortActivity, taskQueue: cpuQueue });
  const gpuEval = proxyActivities<Activities>({ ...evaluationActivity, taskQueue: gpuQueue });
  const gpuTrain = proxyActivities<Activities>({
    ...trainingActivity,
    heartbeatTimeout: `${input.finetune.heartbeatTimeoutSeconds} seconds`,
    taskQueue: gpuQueue,
  });

  const progress: CompressProgress = { stage: 'starting', percent: 0, message: 'starting' };
  let approval: { approved: boolean; comment?: string } | undefined;
  setHandler(progressQuery, () => progress);
  setHandler(approvePlanSignal, (decision) => {
    approval = decision;
  });

  const stepSeconds: Record<string, number> = {};
  const step = async <T>(stage: PipelineStage, message: string, fn: () => Promise<T>): Promise<T> => {
    progress.stage = stage;
    progress.message = message;
    upsertSearchAttributes([{ key: searchKeys.stage, value: stage }]);
    const t0 = Date.now();
    const out = await fn();
    stepSeconds[stage] = (stepSeconds[stage] ?? 0) + (Date.now() - t0) / 1000;
    progress.percent = STAGE_PERCENT[stage];
    return out;
  };

  const targetText =
    input.target.flopsReduction !== undefined
      ? `flops-${input.target.flopsReduction}`
      : input.target.paramsReduction !== undefined
        ? `params-${input.target.paramsReduction}`
        : input.target.latencyMs !== undefined
          ? `latency-${input.target.latencyMs}ms`
          : 'ratios';
  upsertSearchAttributes([
    { key: searchKeys.planner, value: input.planner.kind },
    { key: searchKeys.target, value: targetText },
  ]);

  const evalArgs = {
    split: input.splits.evaluation,
    imgsz: input.evaluation.imgsz,
    provider: input.evaluation.provider,
    maxImages: input.evaluation.maxImages,
    latencyRuns: input.evaluation.latencyRuns,
  };

  const [model, dataset] = await step('importing', 'importing model and dataset', () =>
    Promise.all([cpu.importModel({ uri: input.model }), cpu.importDataset({ uri: input.data })]),
  );
  const modelName = input.modelName ?? model.name;
  upsertSearchAttributes([{ key: searchKeys.model, value: modelName }]);
  const artifacts: CompressModelResult['artifacts'] = { original: model.ref };

  const baseline = await step('evaluating-baseline', 'evaluating the original model', () =>
    gpuEval.evaluateModel({ model: model.ref, dataset: dataset.manifest, ...evalArgs }),
  );
  const before = metricsOf(baseline);
  progress.before = before;
  progress.latest = before;

  const prune = { criterion: input.criterion, roundTo: input.roundTo, granularity: input.granularity };
  // Data-driven criteria: hrank reads calibration images, taylor the trainer's gradient scores (gpu queue).
  let criterionInputs: CriterionInputs | undefined;
  if (input.criterion === 'hrank') {
    criterionInputs = {
      calibration: {
        dataset: dataset.manifest,
        split: input.splits.calibration,
        images: input.importance.calibrationImages,
      },
    };
  } else if (input.criterion === 'taylor') {
    const { scores } = await step('scoring-importance', 'first-order Taylor scores from the trainer', () =>
      gpuTrain.scoreTaylor({
        model: model.ref,
        dataset: dataset.manifest,
        split: input.splits.finetune,
        batches: input.importance.taylorBatches,
        batch: input.finetune.batch,
        device: input.finetune.device,
        imgsz: input.finetune.imgsz,
      }),
    );
    criterionInputs = { taylorScores: scores };
  }
  const withCriterionInputs = criterionInputs ? { criterionInputs } : {};
  let scan: Awaited<ReturnType<typeof scanSensitivity>> | undefined;
  if (input.planner.kind === 'sensitivity') {
    const planner = input.planner;
    scan = await step('scanning-sensitivity', 'pruning each unit alone and evaluating it', () =>
      executeChild(scanSensitivity, {
        workflowId: `${runId}-sensitivity`,
        taskQueue: workflowInfo().taskQueue,
        args: [
          {
            model: model.ref,
            dataset: dataset.manifest,
            ratios: planner.scanRatios,
            criterion: input.criterion,
            roundTo: input.roundTo,
            split: input.splits.calibration,
            imgsz: input.evaluation.imgsz,
            calibrationImages: planner.calibrationImages,
            concurrency: planner.concurrency,
            taskQueue: cpuQueue,
            ...withCriterionInputs,
            granularity: input.granularity,
          },
        ],
      }),
    );
  }

  const plan = await step('planning', `planning (${input.planner.kind})`, () =>
    cpu.planPruning({
      planner: input.planner,
      prune,
      target: input.target,
      scan,
      model: model.ref,
      imgsz: input.evaluation.imgsz,
      baselineLatencyMs: baseline.latency_ms,
      ...withCriterionInputs,
    }),
  );
  artifacts.plan = plan.ref;
  if (scan) artifacts.sensitivity = plan.sensitivity;

  if (input.requireApproval) {
    progress.stage = 'awaiting-approval';
    progress.message = `waiting for the approvePlan signal (plan ${plan.ref.key})`;
    upsertSearchAttributes([{ key: searchKeys.stage, value: 'awaiting-approval' }]);
    await condition(() => approval !== undefined);
    if (!approval!.approved) {
      throw ApplicationFailure.create({
        type: 'PLAN_REJECTED',
        nonRetryable: true,
        message: `the plan was rejected${approval!.comment ? `: ${approval!.comment}` : ''}`,
      });
    }
  }

  const pruned = await step('pruning', 'applying the plan', () =>
    cpu.applyPruning({
      model: model.ref,
      plan: plan.plan,
      imgsz: input.evaluation.imgsz,
      ...withCriterionInputs,
    }),
  );
  artifacts.pruned = pruned.model;
  artifacts.appliedPlan = pruned.appliedPlan;

  const prunedEval = await step('evaluating-pruned', 'evaluating the pruned model', () =>
    gpuEval.evaluateModel({ model: pruned.model, dataset: dataset.manifest, ...evalArgs }),
  );
  progress.latest = metricsOf(prunedEval);

  let student = pruned.model;
  let finetuneInfo: CompressModelResult['finetune'];
  if (input.finetune.epochs > 0) {
    const tuned = await step('finetuning', 'CWD fine-tuning from the original model', () =>
      gpuTrain.finetune({
        student: pruned.model,
        teacher: model.ref,
        dataset: dataset.manifest,
        split: input.splits.finetune,
        options: input.finetune,
      }),
    );
    student = tuned.model;
    artifacts.finetuned = tuned.model;
    finetuneInfo = { steps: tuned.steps, resumedFromStep: tuned.resumedFromStep, attempt: tuned.attempt };
  }

  const deployed = await step('exporting', 'exporting deploy-form ONNX', () =>
    cpu.exportModel({ model: student, fp16: input.export.fp16 }),
  );
  artifacts.deployed = deployed.model;

  const finalEval = await step('evaluating-final', 'evaluating the compressed model', () =>
    gpuEval.evaluateModel({ model: deployed.model, dataset: dataset.manifest, ...evalArgs }),
  );
  const after = metricsOf(finalEval);
  progress.latest = after;

  const result: CompressModelResult = {
    runId,
    artifacts,
    before,
    pruned: metricsOf(prunedEval),
    after,
    stepSeconds,
    ...(finetuneInfo ? { finetune: finetuneInfo } : {}),
    ...(input.target.latencyMs !== undefined
      ? { latencyTargetMet: after.latency_ms <= input.target.latencyMs }
      : {}),
    ...(plan.target
      ? {
          planned: {
            ...plan.target,
            ...(plan.scale !== undefined ? { scale: plan.scale } : {}),
            ...(plan.allocatedFor ? { allocatedFor: plan.allocatedFor } : {}),
          },
        }
      : {}),
  };

  const report = await step('reporting', 'writing the report', () =>
    cpu.writeReport({
      result,
      input,
      modelName,
      originalStats: model.stats,
      prunedStats: pruned.stats,
      scan,
    }),
  );
  artifacts.report = report.markdown;
  artifacts.reportJson = report.json;
  artifacts.plots = report.plots;

  progress.stage = 'done';
  progress.percent = 100;
  progress.message = 'done';
  upsertSearchAttributes([{ key: searchKeys.stage, value: 'done' }]);
  upsertMemo({ summary: { model: modelName, before, after, report: report.markdown.key } });
  return result;
}
