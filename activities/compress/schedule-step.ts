import type { ArtifactRef } from '../../common/artifact-ref';
import { decodeModel } from '../../core/onnx';
import { scheduleStepPlan, scheduleWidths } from '../../core/planning/schedule-step';
import type { PlanInput } from '../../core/pruning/plan/plan-schema';
import type { PipelineDeps } from './context';

export interface ScheduleStepInput {
  /** The model the schedule started from, which `plan` was made for. */
  original: ArtifactRef;
  /** The model this step prunes (the last step's, fine-tuned). */
  current: ArtifactRef;
  plan: PlanInput;
  /** 1-based. */
  step: number;
  steps: number;
}

/** The plan of one schedule step: every group k/n of the way to the width the planner's plan gives it. */
export function scheduleStep(deps: PipelineDeps) {
  return async (input: ScheduleStepInput): Promise<{ plan: PlanInput }> => {
    const [original, current] = await Promise.all([
      deps.store.get(input.original),
      deps.store.get(input.current),
    ]);
    const widths = await scheduleWidths(decodeModel(original), input.plan);
    return {
      plan: scheduleStepPlan(
        widths.original,
        widths.final,
        decodeModel(current),
        input.plan,
        input.step,
        input.steps,
      ),
    };
  };
}
