import {
  ApplicationFailure,
  TemporalFailure,
  condition,
  defineQuery,
  defineSignal,
  executeChild,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ArtifactRef } from '../common/artifact-ref';
import {
  compressModelInputSchema,
  type CompressModelInput,
  type CompressModelOptions,
  type RunOptions,
} from '../common/compress-input';
import {
  splitUses,
  type CompressModelResult,
  type CompressProgress,
  type ScheduleStep,
} from '../common/compress-result';
import { TASK_QUEUES } from '../common/constants';
import type { CriterionInputs } from '../common/criterion-inputs';
import { resolveRunSplits, selectionSplit } from '../common/data-split';
import { choosesOnSelection } from '../common/selection-use';
import { searchKeys } from '../common/search-attributes';
import { evaluationActivity, shortActivity, trainingActivity } from './activity-options';
import { metricsOf, PipelineRun } from './pipeline-run';
import { PLANNERS, type PlannerResult } from './planners';
import type { ModelStats } from '../core/stats/model-stats';
import { pruneOnSchedule } from './prune-on-schedule';
import { sparsifyModel } from './sparsify-model';

export const progressQuery = defineQuery<CompressProgress>('progress');
/** Approves or rejects the plan; a run with `requireApproval` waits for it after planning, before pruning. */
export const approvePlanSignal = defineSignal<[{ approved: boolean; comment?: string }]>('approvePlan');

function parseInput(raw: CompressModelInput): CompressModelOptions {
  const parsed = compressModelInputSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw ApplicationFailure.create({
    type: 'INVALID_INPUT',
    nonRetryable: true,
    message: `compressModel input: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
  });
}

function targetText(t: CompressModelOptions['target']): string {
  if (t.flopsReduction !== undefined) return `flops-${t.flopsReduction}`;
  if (t.paramsReduction !== undefined) return `params-${t.paramsReduction}`;
  if (t.latencyMs !== undefined) return `latency-${t.latencyMs}ms`;
  return 'ratios';
}

/**
 * The durable pipeline, one stage after another: import → baseline evaluation → (sparsify) → (importance
 * scores) → plan → (approval) → prune → evaluate → CWD fine-tune → export → evaluate → report. Planners,
 * the sparsify stage and the prune schedule are child workflows; every step passes artifact references,
 * so a run survives worker and server restarts.
 */
export async function compressModel(rawInput: CompressModelInput): Promise<CompressModelResult> {
  const given = parseInput(rawInput);
  const runId = workflowInfo().workflowId;
  const queues = {
    cpu: given.taskQueues.cpu ?? workflowInfo().taskQueue,
    gpu: given.taskQueues.gpu ?? TASK_QUEUES.gpu,
  };
  const cpu = proxyActivities<Activities>({ ...shortActivity, taskQueue: queues.cpu });
  const gpuEval = proxyActivities<Activities>({ ...evaluationActivity, taskQueue: queues.gpu });
  const gpuTrain = proxyActivities<Activities>({
    ...trainingActivity,
    heartbeatTimeout: `${given.finetune.heartbeatTimeoutSeconds} seconds`,
    taskQueue: queues.gpu,
  });

  const run = new PipelineRun();
  let approval: { approved: boolean; comment?: string } | undefined;
  setHandler(progressQuery, () => run.progress);
  setHandler(approvePlanSignal, (decision) => {
    approval = decision;
  });
  upsertSearchAttributes([
    { key: searchKeys.planner, value: given.planner.kind },
    { key: searchKeys.target, value: targetText(given.target) },
  ]);
  const child = (id: string) => ({ workflowId: `${runId}-${id}`, taskQueue: workflowInfo().taskQueue });

  try {
    const [model, dataset] = await run.stage('importing', 'importing model and dataset', () =>
      Promise.all([
        cpu.importModel({ uri: given.model }),
        cpu.importDataset({
          uri: given.data,
          splits: given.splits,
          choosesOnSelection: choosesOnSelection(given),
        }),
      ]),
    );
    // Every stage reads the splits as import resolved them (a held-out selection split where the data set has
    // none); histories recorded before import resolved them carry none, and replay the same commands either way.
    const input: RunOptions = {
      ...given,
      splits:
        dataset.splits ?? resolveRunSplits(given.splits, { choosesOnSelection: choosesOnSelection(given) }),
    };
    const evalArgs = {
      split: input.splits.evaluation,
      imgsz: input.evaluation.imgsz,
      provider: input.evaluation.provider,
      maxImages: input.evaluation.maxImages,
      latencyRuns: input.evaluation.latencyRuns,
    };
    const modelName = input.modelName ?? model.name;
    upsertSearchAttributes([{ key: searchKeys.model, value: modelName }]);
    const artifacts: CompressModelResult['artifacts'] = { original: model.ref };
    const evaluate = (m: ArtifactRef) =>
      gpuEval.evaluateModel({ model: m, dataset: dataset.manifest, ...evalArgs });

    const baseline = await run.stage('evaluating-baseline', 'evaluating the original model', () =>
      evaluate(model.ref),
    );
    const before = metricsOf(baseline);
    run.progress.before = before;
    run.progress.latest = before;

    // Network Slimming: plan on a model whose unneeded channels were driven to γ ≈ 0.
    const sparsified = input.sparsify
      ? await run.stage('sparsifying', 'L1 on BatchNormalization γ (Network Slimming)', () =>
          executeChild(sparsifyModel, {
            ...child('sparsify'),
            args: [{ model: model.ref, dataset: dataset.manifest, options: input, queues }],
          }),
        )
      : undefined;
    const planOn = sparsified?.model ?? model.ref;
    if (sparsified) artifacts.sparsified = sparsified.model;

    const criterionInputs = needsInputs(input.criterion)
      ? await run.stage('scoring-importance', `inputs of the ${input.criterion} criterion`, () =>
          importanceInputs(input, planOn, dataset.manifest, gpuTrain),
        )
      : undefined;

    const planned: PlannerResult = await run.stage('planning', `planning (${input.planner.kind})`, () =>
      executeChild(PLANNERS[input.planner.kind], {
        ...child('plan'),
        args: [
          {
            runId,
            model: planOn,
            teacher: model.ref,
            dataset: dataset.manifest,
            options: input,
            baseline: before,
            queues,
            ...(criterionInputs ? { criterionInputs } : {}),
          },
        ],
      }),
    );
    artifacts.plan = planned.ref;
    if (planned.sensitivity) artifacts.sensitivity = planned.sensitivity;

    if (input.requireApproval) {
      run.enter('awaiting-approval', `waiting for the approvePlan signal (plan ${planned.ref.key})`);
      await condition(() => approval !== undefined);
      if (!approval!.approved) {
        throw ApplicationFailure.create({
          type: 'PLAN_REJECTED',
          nonRetryable: true,
          message: `the plan was rejected${approval!.comment ? `: ${approval!.comment}` : ''}`,
        });
      }
    }

    const pruned: {
      model: ArtifactRef;
      appliedPlan: ArtifactRef;
      stats: ModelStats;
      steps?: ScheduleStep[];
    } =
      planned.pruned ??
      (await run.stage('pruning', `applying the plan (${input.schedule.steps} step(s))`, () =>
        executeChild(pruneOnSchedule, {
          ...child('prune'),
          args: [
            {
              runId,
              model: planOn,
              teacher: model.ref,
              dataset: dataset.manifest,
              plan: planned.plan,
              options: input,
              baseline: before,
              queues,
              ...(planned.planned ? { target: planned.planned } : {}),
              ...(criterionInputs ? { criterionInputs } : {}),
            },
          ],
        }),
      ));
    artifacts.pruned = pruned.model;
    artifacts.appliedPlan = pruned.appliedPlan;

    const prunedEval = await run.stage('evaluating-pruned', 'evaluating the pruned model', () =>
      evaluate(pruned.model),
    );
    run.progress.latest = metricsOf(prunedEval);

    let student = pruned.model;
    let finetuneInfo: CompressModelResult['finetune'];
    let finetuneLoss: ArtifactRef | undefined;
    if (input.finetune.epochs > 0) {
      const tuned = await run.stage('finetuning', 'CWD fine-tuning from the original model', () =>
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
      finetuneLoss = tuned.lossSeries;
      finetuneInfo = {
        steps: tuned.steps,
        resumedFromStep: tuned.resumedFromStep,
        attempt: tuned.attempt,
        ...(tuned.device ? { device: tuned.device } : {}),
      };
    }

    const deployed = await run.stage('exporting', 'exporting deploy-form ONNX', () =>
      cpu.exportModel({
        model: student,
        fp16: input.export.fp16,
        dataset: dataset.manifest,
        split: input.splits.evaluation,
      }),
    );
    artifacts.deployed = deployed.model;

    const finalEval = await run.stage('evaluating-final', 'evaluating the compressed model', () =>
      evaluate(deployed.model),
    );
    const after = metricsOf(finalEval);
    run.progress.latest = after;

    const result: CompressModelResult = {
      runId,
      artifacts,
      before,
      pruned: metricsOf(prunedEval),
      after,
      stepSeconds: run.stepSeconds,
      splits: splitUses(input.splits),
      ...(finetuneInfo ? { finetune: finetuneInfo } : {}),
      ...(input.target.latencyMs !== undefined
        ? { latencyTargetMet: after.latency_ms <= input.target.latencyMs }
        : {}),
      ...(planned.planned ? { planned: planned.planned } : {}),
      ...(pruned.steps && pruned.steps.length > 1 ? { schedule: pruned.steps } : {}),
      ...(sparsified
        ? { sparsify: { gammaBefore: sparsified.gammaBefore, gammaAfter: sparsified.gammaAfter } }
        : {}),
    };

    const report = await run.stage('reporting', 'writing the report', () =>
      cpu.writeReport({
        result,
        input,
        modelName,
        originalStats: model.stats,
        prunedStats: pruned.stats,
        dataset: dataset.manifest,
        evaluations: { before: baseline, pruned: prunedEval, after: finalEval },
        ...(finetuneLoss ? { finetuneLoss } : {}),
        ...(planned.scan ? { scan: planned.scan } : {}),
        ...(planned.search ? { search: planned.search } : {}),
      }),
    );
    artifacts.report = report.markdown;
    artifacts.reportHtml = report.html;
    artifacts.reportJson = report.json;
    artifacts.plots = report.plots;

    run.done();
    upsertMemo({
      summary: { model: modelName, before, after, report: report.markdown.key, reportUri: report.htmlUri },
    });
    return result;
  } catch (err) {
    run.failed(err);
    throw rootCause(err);
  }
}

/**
 * The failure a user should see: a stage's typed error (INVALID_INPUT, PLAN_TARGET_UNREACHABLE, ...) as the
 * run's own failure, not wrapped in the child workflow and activity that carried it (they stay its cause).
 */
function rootCause(err: unknown): unknown {
  let root: unknown = err;
  while (root instanceof TemporalFailure && !(root instanceof ApplicationFailure) && root.cause)
    root = root.cause;
  if (root === err || !(root instanceof ApplicationFailure)) return err;
  return ApplicationFailure.create({
    type: root.type ?? 'STAGE_FAILED',
    message: root.message,
    nonRetryable: true,
    details: root.details ? [...root.details] : undefined,
    cause: err as Error,
  });
}

const needsInputs = (criterion: string) => criterion === 'hrank' || criterion === 'taylor';

/** What data-driven criteria read: hrank's calibration images by reference, taylor's trainer-made scores. */
async function importanceInputs(
  input: RunOptions,
  model: ArtifactRef,
  dataset: ArtifactRef,
  gpuTrain: ReturnType<typeof proxyActivities<Activities>>,
): Promise<CriterionInputs | undefined> {
  if (input.criterion === 'hrank')
    return {
      calibration: {
        dataset,
        split: selectionSplit(input.splits),
        images: input.importance.calibrationImages,
      },
    };
  if (input.criterion !== 'taylor') return undefined;
  const { scores } = await gpuTrain.scoreTaylor({
    model,
    dataset,
    split: input.splits.finetune,
    batches: input.importance.taylorBatches,
    batch: input.finetune.batch,
    device: input.finetune.device,
    imgsz: input.finetune.imgsz,
  });
  return { taylorScores: scores };
}
