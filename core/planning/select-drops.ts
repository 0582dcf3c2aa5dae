// The `sensitivity` planner at `layer` granularity: which whole blocks to drop. Each block was dropped alone
// in the scan; blocks are taken in order of least measured mAP loss per FLOPs (or parameters) saved, and the
// set grows until the model with all of them dropped, measured exactly, meets the target. Dropping changes
// what the network computes more than thinning channels does: it is meant to be fine-tuned after.

import type { Model } from '../onnx/model';
import { pruneModel, type PruneDeps } from '../pruning/prune-model';
import type { PlanInput } from '../pruning/plan/plan-schema';
import { computeStats } from '../stats';
import { PlanError } from './errors';
import { costLimit, pct, withinLimit } from './exact-cost-search';
import type { ReductionTarget } from './reduction-target';
import type { SensitivityBaseline, SensitivityPoint } from './sensitivity-types';

export interface SelectedDrops {
  plan: PlanInput;
  /** In the order they were taken. */
  blocks: string[];
  predictedMap50_95: number;
  flops: number;
  params: number;
}

export async function selectDropsToTarget(
  model: Model,
  baseline: SensitivityBaseline,
  points: readonly SensitivityPoint[],
  target: ReductionTarget,
  base: Pick<PlanInput, 'criterion' | 'round_to'>,
  options: { imgsz?: number; deps?: PruneDeps } = {},
): Promise<SelectedDrops> {
  const byFlops = target.flopsReduction !== undefined;
  const saving = (p: SensitivityPoint) => (byFlops ? baseline.flops - p.flops : baseline.params - p.params);
  const order = points
    .filter((p) => saving(p) > 0)
    .map((p) => ({ p, cost: Math.max(0, baseline.map50_95 - p.map50_95) / saving(p) }))
    .sort((a, b) => a.cost - b.cost || a.p.unit.localeCompare(b.p.unit))
    .map((x) => x.p);
  const stats = (m: Model) => computeStats(m, { imgsz: options.imgsz, form: 'deploy' });
  const start = stats(model);
  const meets = withinLimit(costLimit(start, target));
  const blocks: string[] = [];
  let loss = 0;
  let cost = { flops: start.flops, params: start.params };
  for (const p of order) {
    blocks.push(p.unit);
    loss += Math.max(0, baseline.map50_95 - p.map50_95);
    const plan = { ...base, blocks: [...blocks] };
    cost = stats((await pruneModel(model, plan, options.deps)).model);
    if (meets(cost))
      return {
        plan,
        blocks,
        predictedMap50_95: baseline.map50_95 - loss,
        flops: cost.flops,
        params: cost.params,
      };
  }
  throw new PlanError(
    'PLAN_TARGET_UNREACHABLE',
    `dropping every droppable block (${blocks.length}) keeps ${pct(cost.flops, start.flops)} of the FLOPs and ` +
      `${pct(cost.params, start.params)} of the parameters: the target needs channel pruning too ` +
      `(granularity module or channel)`,
  );
}
