import {
  ApplicationFailure,
  TemporalFailure,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  compressModelInputSchema,
  type CompressModelInput,
  type CompressModelOptions,
} from '../common/compress-input';
import type { CompressModelResult, CompressProgress } from '../common/compress-result';
import { TASK_QUEUES } from '../common/constants';
import { searchKeys } from '../common/search-attributes';
import { evaluationActivity, shortActivity, trainingActivity } from './activity-options';
import { STAGES, type ApprovalDecision, type RunContext, type RunState } from './compress-stages';
import { PipelineRun } from './pipeline-run';

export const progressQuery = defineQuery<CompressProgress>('progress');
/** Approves or rejects the plan; a run with `requireApproval` waits for it after planning, before pruning. */
export const approvePlanSignal = defineSignal<[ApprovalDecision]>('approvePlan');

/**
 * The durable pipeline: the stages of compress-stages.ts, one after another, each marked in the `progress`
 * query and the `stage` search attribute. Planners, the sparsify stage and the prune schedule are child
 * workflows; every stage passes artifact references, so a run survives worker and server restarts.
 */
export async function compressModel(rawInput: CompressModelInput): Promise<CompressModelResult> {
  const given = parseInput(rawInput);
  const queues = {
    cpu: given.taskQueues.cpu ?? workflowInfo().taskQueue,
    gpu: given.taskQueues.gpu ?? TASK_QUEUES.gpu,
  };
  let approval: ApprovalDecision | undefined;
  const ctx: RunContext = {
    runId: workflowInfo().workflowId,
    queues,
    cpu: proxyActivities<Activities>({ ...shortActivity, taskQueue: queues.cpu }),
    gpuEval: proxyActivities<Activities>({ ...evaluationActivity, taskQueue: queues.gpu }),
    gpuTrain: proxyActivities<Activities>({
      ...trainingActivity,
      heartbeatTimeout: `${given.finetune.heartbeatTimeoutSeconds} seconds`,
      taskQueue: queues.gpu,
    }),
    run: new PipelineRun(),
    approval: () => approval,
  };
  setHandler(progressQuery, () => ctx.run.progress);
  setHandler(approvePlanSignal, (decision) => {
    approval = decision;
  });
  upsertSearchAttributes([
    { key: searchKeys.planner, value: given.planner.kind },
    { key: searchKeys.target, value: targetText(given.target) },
  ]);

  // Each stage sets the fields it makes before a later stage reads them (compress-stages.ts).
  const s = { given } as RunState;
  try {
    for (const stage of STAGES)
      if (stage.when?.(s) ?? true) await ctx.run.stage(stage.name, stage.message(s), () => stage.run(s, ctx));
  } catch (err) {
    ctx.run.failed(err);
    throw rootCause(err);
  }
  ctx.run.done();
  const { before, after } = s.result;
  const report = s.report.markdown.key;
  upsertMemo({ summary: { model: s.modelName, before, after, report, reportUri: s.report.htmlUri } });
  return s.result;
}

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
