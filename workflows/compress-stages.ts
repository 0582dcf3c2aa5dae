// compressModel's stages, in the order they run: each names its progress stage, when it runs, and the one
// activity or child workflow it starts, and records what that made on the run's state. Deterministic
// (workflow code); the workflow itself only runs this list (compress-model.ts).

import {
  ApplicationFailure,
  condition,
  executeChild,
  upsertSearchAttributes,
  type proxyActivities,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { EvaluateModelResult } from '../activities/compress/evaluate-model';
import type { ArtifactRef } from '../common/artifact-ref';
import type { CompressModelOptions, RunOptions } from '../common/compress-input';
import {
  splitUses,
  type CompressArtifacts,
  type CompressModelResult,
  type ModelMetrics,
  type PipelineStage,
} from '../common/compress-result';
import type { CriterionInputs } from '../common/criterion-inputs';
import { selectionSplit } from '../common/data-split';
import { searchKeys } from '../common/search-attributes';
import { choosesOnSelection } from '../common/selection-use';
import { metricsOf, type PipelineRun } from './pipeline-run';
import { plannerFor, type PlannerResult } from './planners';
import { pruneOnSchedule, type PruneOnScheduleResult } from './prune-on-schedule';
import { sparsifyModel, type SparsifyResult } from './sparsify-model';

type ActivityProxies = ReturnType<typeof proxyActivities<Activities>>;

export interface ApprovalDecision {
  approved: boolean;
  comment?: string;
}

/** What every stage reaches: the run's id, its queues and activity presets, its bookkeeping. */
export interface RunContext {
  runId: string;
  queues: { cpu: string; gpu: string };
  cpu: ActivityProxies;
  gpuEval: ActivityProxies;
  gpuTrain: ActivityProxies;
  run: PipelineRun;
  /** The `approvePlan` signal's decision, once it came. */
  approval: () => ApprovalDecision | undefined;
}

/**
 * What the stages make, field by field. Each field is set by the stage that makes it before any later stage
 * reads it (the order of STAGES); the optional ones belong to stages that may not run.
 */
export interface RunState {
  given: CompressModelOptions;
  /** The input with the splits import resolved: what every later stage reads. */
  input: RunOptions;
  model: Awaited<ReturnType<Activities['importModel']>>;
  dataset: Awaited<ReturnType<Activities['importDataset']>>;
  modelName: string;
  artifacts: CompressArtifacts;
  baseline: EvaluateModelResult;
  before: ModelMetrics;
  sparsified?: SparsifyResult;
  /** The model the planner plans on and the prune stage prunes: the sparsified one when sparsify ran. */
  planOn: ArtifactRef;
  criterionInputs?: CriterionInputs;
  planning: PlannerResult;
  pruned: Omit<PruneOnScheduleResult, 'steps'> & { steps?: PruneOnScheduleResult['steps'] };
  prunedEval: EvaluateModelResult;
  /** The model the export stage exports: the fine-tuned one when fine-tuning ran. */
  student: ArtifactRef;
  finetune?: CompressModelResult['finetune'];
  finetuneLoss?: ArtifactRef;
  deployed: ArtifactRef;
  finalEval: EvaluateModelResult;
  quantized?: Awaited<ReturnType<Activities['quantizeModel']>>;
  int8Eval?: EvaluateModelResult;
  result: CompressModelResult;
  report: Awaited<ReturnType<Activities['writeReport']>>;
}

export interface Stage {
  name: PipelineStage;
  /** The stage runs only when this holds; without it, always. */
  when?: (s: RunState) => boolean;
  /** The progress message while it runs. */
  message: (s: RunState) => string;
  run: (s: RunState, ctx: RunContext) => Promise<void>;
}

/**
 * import → baseline evaluation → (sparsify) → (importance scores) → plan → (approval) → (prune) → evaluate →
 * (CWD fine-tune) → export → evaluate → report.
 */
export const STAGES: readonly Stage[] = [
  {
    name: 'importing',
    message: () => 'importing model and dataset',
    run: async (s, { cpu }) => {
      [s.model, s.dataset] = await Promise.all([
        cpu.importModel({ uri: s.given.model }),
        cpu.importDataset({
          uri: s.given.data,
          splits: s.given.splits,
          choosesOnSelection: choosesOnSelection(s.given),
        }),
      ]);
      // Import resolves the splits whenever it is given them (a held-out selection split where the data set
      // has none); every later stage reads them as resolved.
      s.input = { ...s.given, splits: s.dataset.splits! };
      s.modelName = s.input.modelName ?? s.model.name;
      upsertSearchAttributes([{ key: searchKeys.model, value: s.modelName }]);
      s.artifacts = { original: s.model.ref };
      s.planOn = s.model.ref;
    },
  },
  {
    name: 'evaluating-baseline',
    message: () => 'evaluating the original model',
    run: async (s, ctx) => {
      s.baseline = await evaluate(s, ctx, s.model.ref);
      s.before = metricsOf(s.baseline);
      ctx.run.progress.before = s.before;
      ctx.run.progress.latest = s.before;
    },
  },
  {
    // Network Slimming: plan on a model whose unneeded channels were driven to γ ≈ 0.
    name: 'sparsifying',
    when: (s) => s.input.sparsify !== undefined,
    message: () => 'L1 on BatchNormalization γ (Network Slimming)',
    run: async (s, { runId, queues }) => {
      s.sparsified = await executeChild(sparsifyModel, {
        ...child(runId, 'sparsify'),
        args: [{ model: s.model.ref, dataset: s.dataset.manifest, options: s.input, queues }],
      });
      s.planOn = s.sparsified.model;
      s.artifacts.sparsified = s.sparsified.model;
    },
  },
  {
    name: 'scoring-importance',
    when: (s) => s.input.criterion === 'hrank' || s.input.criterion === 'taylor',
    message: (s) => `inputs of the ${s.input.criterion} criterion`,
    run: async (s, { gpuTrain }) => {
      s.criterionInputs = await importanceInputs(s.input, s.planOn, s.dataset.manifest, gpuTrain);
    },
  },
  {
    name: 'planning',
    message: (s) => `planning (${s.input.planner.kind})`,
    run: async (s, { runId, queues }) => {
      s.planning = await executeChild(plannerFor(s.input.planner.kind), {
        ...child(runId, 'plan'),
        args: [
          {
            runId,
            model: s.planOn,
            teacher: s.model.ref,
            dataset: s.dataset.manifest,
            options: s.input,
            baseline: s.before,
            queues,
            ...(s.criterionInputs ? { criterionInputs: s.criterionInputs } : {}),
          },
        ],
      });
      s.artifacts.plan = s.planning.ref;
      if (s.planning.kind === 'planned' && s.planning.sensitivity)
        s.artifacts.sensitivity = s.planning.sensitivity;
      // A planner that prunes as it searches (NetAdapt) hands over the pruned model: no prune stage.
      if (s.planning.kind === 'pruned') s.pruned = s.planning.pruned;
    },
  },
  {
    name: 'awaiting-approval',
    when: (s) => s.input.requireApproval,
    message: (s) => `waiting for the approvePlan signal (plan ${s.planning.ref.key})`,
    run: async (_s, { approval }) => {
      await condition(() => approval() !== undefined);
      const decision = approval()!;
      if (!decision.approved)
        throw ApplicationFailure.create({
          type: 'PLAN_REJECTED',
          nonRetryable: true,
          message: `the plan was rejected${decision.comment ? `: ${decision.comment}` : ''}`,
        });
    },
  },
  {
    name: 'pruning',
    when: (s) => s.planning.kind === 'planned',
    message: (s) => `applying the plan (${s.input.schedule.steps} step(s))`,
    run: async (s, { runId, queues }) => {
      s.pruned = await executeChild(pruneOnSchedule, {
        ...child(runId, 'prune'),
        args: [
          {
            runId,
            model: s.planOn,
            teacher: s.model.ref,
            dataset: s.dataset.manifest,
            plan: s.planning.plan,
            options: s.input,
            queues,
            ...(s.criterionInputs ? { criterionInputs: s.criterionInputs } : {}),
          },
        ],
      });
    },
  },
  {
    name: 'evaluating-pruned',
    message: () => 'evaluating the pruned model',
    run: async (s, ctx) => {
      s.artifacts.pruned = s.pruned.model;
      s.artifacts.appliedPlan = s.pruned.appliedPlan;
      s.prunedEval = await evaluate(s, ctx, s.pruned.model);
      ctx.run.progress.latest = metricsOf(s.prunedEval);
      s.student = s.pruned.model;
    },
  },
  {
    name: 'finetuning',
    when: (s) => s.input.finetune.epochs > 0,
    message: () => 'CWD fine-tuning from the original model',
    run: async (s, { gpuTrain }) => {
      const tuned = await gpuTrain.finetune({
        student: s.pruned.model,
        teacher: s.model.ref,
        dataset: s.dataset.manifest,
        split: s.input.splits.finetune,
        options: s.input.finetune,
      });
      s.student = tuned.model;
      s.artifacts.finetuned = tuned.model;
      s.finetuneLoss = tuned.lossSeries;
      s.finetune = {
        steps: tuned.steps,
        resumedFromStep: tuned.resumedFromStep,
        attempt: tuned.attempt,
        ...(tuned.device ? { device: tuned.device } : {}),
      };
    },
  },
  {
    name: 'exporting',
    message: () => 'exporting deploy-form ONNX',
    run: async (s, { cpu }) => {
      const deployed = await cpu.exportModel({
        model: s.student,
        fp16: s.input.export.fp16,
        dataset: s.dataset.manifest,
        split: s.input.splits.evaluation,
      });
      s.deployed = deployed.model;
      s.artifacts.deployed = deployed.model;
    },
  },
  {
    name: 'evaluating-final',
    message: () => 'evaluating the compressed model',
    run: async (s, ctx) => {
      s.finalEval = await evaluate(s, ctx, s.deployed);
      ctx.run.progress.latest = metricsOf(s.finalEval);
    },
  },
  {
    // Post-training INT8 of the delivered model: calibrated, and with a budget checked layer by layer, on the
    // selection split (choosesOnSelection says yes, so one exists).
    name: 'quantizing',
    when: (s) => s.input.quantize !== undefined,
    message: (s) => `INT8 (${s.input.quantize!.observer}), calibrated on the selection split`,
    run: async (s, { gpuEval }) => {
      const q = s.input.quantize!;
      s.quantized = await gpuEval.quantizeModel({
        model: s.deployed,
        dataset: s.dataset.manifest,
        split: selectionSplit(s.input.splits),
        images: q.calibrationImages,
        ...(s.input.evaluation.imgsz !== undefined ? { imgsz: s.input.evaluation.imgsz } : {}),
        observer: q.observer,
        activationType: q.activations,
        maxDropPoints: q.maxDropPoints,
      });
      s.artifacts.int8 = s.quantized.model;
    },
  },
  {
    name: 'evaluating-int8',
    when: (s) => s.quantized !== undefined,
    message: () => 'evaluating the INT8 model',
    run: async (s, ctx) => {
      s.int8Eval = await evaluate(s, ctx, s.quantized!.model);
    },
  },
  {
    name: 'reporting',
    message: () => 'writing the report',
    run: async (s, ctx) => {
      s.result = resultOf(s, ctx);
      s.report = await ctx.cpu.writeReport({
        result: s.result,
        input: s.input,
        modelName: s.modelName,
        originalStats: s.model.stats,
        prunedStats: s.pruned.stats,
        dataset: s.dataset.manifest,
        evaluations: { before: s.baseline, pruned: s.prunedEval, after: s.finalEval },
        ...(s.finetuneLoss ? { finetuneLoss: s.finetuneLoss } : {}),
        ...(s.planning.kind === 'planned' && s.planning.scan ? { scan: s.planning.scan } : {}),
        ...(s.planning.search ? { search: s.planning.search } : {}),
      });
      s.artifacts.report = s.report.markdown;
      s.artifacts.reportHtml = s.report.html;
      s.artifacts.reportJson = s.report.json;
      s.artifacts.plots = s.report.plots;
    },
  },
];

/** The run's result (its artifacts object is the state's, so the report's artifacts land in it too). */
function resultOf(s: RunState, { runId, run }: RunContext): CompressModelResult {
  const after = metricsOf(s.finalEval);
  const latencyMs = s.input.target.latencyMs;
  return {
    runId,
    artifacts: s.artifacts,
    before: s.before,
    pruned: metricsOf(s.prunedEval),
    after,
    stepSeconds: run.stepSeconds,
    splits: splitUses(s.input.splits),
    ...(s.finetune ? { finetune: s.finetune } : {}),
    ...(latencyMs !== undefined ? { latencyTargetMet: after.latency_ms <= latencyMs } : {}),
    ...(s.planning.kind === 'planned' && s.planning.target ? { planned: s.planning.target } : {}),
    ...(s.pruned.steps && s.pruned.steps.length > 1 ? { schedule: s.pruned.steps } : {}),
    ...(s.sparsified
      ? { sparsify: { gammaBefore: s.sparsified.gammaBefore, gammaAfter: s.sparsified.gammaAfter } }
      : {}),
    ...(s.quantized && s.int8Eval
      ? {
          int8: {
            metrics: metricsOf(s.int8Eval),
            observer: s.input.quantize!.observer,
            quantizedNodes: s.quantized.quantizedNodes,
            floatNodes: s.quantized.floatNodes,
            keptLayers: s.quantized.keptLayers,
            ...(s.quantized.selectionMap ? { selectionMap: s.quantized.selectionMap } : {}),
          },
        }
      : {}),
  };
}

const child = (runId: string, id: string) => ({ workflowId: `${runId}-${id}` });

function evaluate(s: RunState, { gpuEval }: RunContext, model: ArtifactRef): Promise<EvaluateModelResult> {
  return gpuEval.evaluateModel({
    model,
    dataset: s.dataset.manifest,
    split: s.input.splits.evaluation,
    imgsz: s.input.evaluation.imgsz,
    provider: s.input.evaluation.provider,
    maxImages: s.input.evaluation.maxImages,
    latencyRuns: s.input.evaluation.latencyRuns,
  });
}

/** What data-driven criteria read: hrank's calibration images by reference, taylor's trainer-made scores. */
async function importanceInputs(
  input: RunOptions,
  model: ArtifactRef,
  dataset: ArtifactRef,
  gpuTrain: ActivityProxies,
): Promise<CriterionInputs> {
  if (input.criterion === 'hrank')
    return {
      calibration: {
        dataset,
        split: selectionSplit(input.splits),
        images: input.importance.calibrationImages,
      },
    };
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
