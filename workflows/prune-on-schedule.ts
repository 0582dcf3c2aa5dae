import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ArtifactRef } from '../common/artifact-ref';
import type { RunOptions } from '../common/compress-input';
import type { ScheduleStep } from '../common/compress-result';
import type { CriterionInputs } from '../common/criterion-inputs';
import { planRatios } from '../core/pruning/plan/plan-ratios';
import type { PlanInput } from '../core/pruning/plan/plan-schema';
import type { ModelStats } from '../core/stats/model-stats';
import { shortActivity, trainingActivity } from './activity-options';

export interface PruneOnScheduleInput {
  runId: string;
  model: ArtifactRef;
  teacher: ArtifactRef;
  dataset: ArtifactRef;
  plan: PlanInput;
  options: RunOptions;
  criterionInputs?: CriterionInputs;
  queues: { cpu: string; gpu: string };
}

export interface PruneOnScheduleResult {
  model: ArtifactRef;
  /** The last step's applied plan (explicit channel lists on the model that step pruned). */
  appliedPlan: ArtifactRef;
  steps: ScheduleStep[];
  /** The pruned model's statistics (per stage and module). */
  stats: ModelStats;
}

/**
 * The prune stage. One step applies the plan. N steps (Torch-Pruning's iterative recipe) cut every group k/n of
 * the way from its original width to the width the plan gives it, scored on the current weights, with a short
 * CWD fine-tune from the original after every step but the last; the last step lands on the plan's widths, so
 * the planner's target and allocation are kept. Every step's model is an artifact and every step an activity,
 * so a restart resumes at the step it was in.
 */
export async function pruneOnSchedule(input: PruneOnScheduleInput): Promise<PruneOnScheduleResult> {
  const o = input.options;
  const cpu = proxyActivities<Activities>({ ...shortActivity, taskQueue: input.queues.cpu });
  const gpu = proxyActivities<Activities>({
    ...trainingActivity,
    heartbeatTimeout: `${o.finetune.heartbeatTimeoutSeconds} seconds`,
    taskQueue: input.queues.gpu,
  });
  const imgsz = o.evaluation.imgsz;
  const criterionFor = async (model: ArtifactRef, first: boolean): Promise<CriterionInputs | undefined> => {
    // Taylor scores belong to one model's weights and shapes: every later step scores its own model.
    if (o.criterion !== 'taylor' || first) return input.criterionInputs;
    const { scores } = await gpu.scoreTaylor({
      model,
      dataset: input.dataset,
      split: o.splits.finetune,
      batches: o.importance.taylorBatches,
      batch: o.finetune.batch,
      device: o.finetune.device,
      imgsz: o.finetune.imgsz,
    });
    return { taylorScores: scores };
  };
  const apply = (model: ArtifactRef, plan: PlanInput, ci: CriterionInputs | undefined) =>
    cpu.applyPruning({ model, plan, imgsz, ...(ci ? { criterionInputs: ci } : {}) });
  type Applied = Awaited<ReturnType<typeof apply>>;

  const n = o.schedule.steps;
  const steps: ScheduleStep[] = [];
  if (n === 1 || !planRatios(input.plan).some((r) => r > 0)) {
    const applied = await apply(input.model, input.plan, input.criterionInputs);
    steps.push({ step: 1, ...pick(applied) });
    return { model: applied.model, appliedPlan: applied.appliedPlan, steps, stats: applied.stats };
  }

  let current = input.model;
  let last: Applied | undefined;
  for (let k = 1; k <= n; k++) {
    const ci = await criterionFor(current, k === 1);
    // Step k cuts every group k/n of the way to the plan's widths (Torch-Pruning's schedule).
    const { plan } = await cpu.scheduleStep({
      original: input.model,
      current,
      plan: input.plan,
      step: k,
      steps: n,
    });
    last = await apply(current, plan, ci);
    current = last.model;
    const record: ScheduleStep = { step: k, ...pick(last) };
    if (k < n && o.schedule.finetuneEpochs > 0) {
      const tuned = await shortFinetune(current);
      current = tuned.model;
      record.finetuned = tuned.model;
    }
    steps.push(record);
  }
  return { model: current, appliedPlan: last!.appliedPlan, steps, stats: last!.stats };

  function shortFinetune(student: ArtifactRef) {
    return gpu.finetune({
      student,
      teacher: input.teacher,
      dataset: input.dataset,
      split: o.splits.finetune,
      options: { ...o.finetune, epochs: o.schedule.finetuneEpochs, maxSteps: undefined },
    });
  }
}

function pick(a: { model: ArtifactRef; appliedPlan: ArtifactRef; stats: { flops: number; params: number } }) {
  return { model: a.model, appliedPlan: a.appliedPlan, flops: a.stats.flops, params: a.stats.params };
}
