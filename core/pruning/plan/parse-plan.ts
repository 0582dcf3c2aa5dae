import { PruneError } from '../errors';
import { type Plan, PlanSchema, RENAMED_PLAN_KEYS } from './plan-schema';

function checkRatio(where: string, r: number | undefined): void {
  if (r === undefined) return;
  if (!Number.isFinite(r) || r < 0 || r >= 1)
    throw new PruneError('PRUNE_RATIO_INVALID', `${where}: ratio ${r} is outside [0, 1)`);
}

/** Validates a plan (structure via zod, ratios in [0, 1)) and fills defaults. */
export function parsePlan(input: unknown): Plan {
  for (const [old, now] of Object.entries(RENAMED_PLAN_KEYS))
    if (typeof input === 'object' && input !== null && old in input)
      throw new PruneError('PRUNE_PLAN_INVALID', `invalid pruning plan: key '${old}' is now '${now}'`);
  const result = PlanSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(plan)'}: ${i.message}`).join('; ');
    throw new PruneError('PRUNE_PLAN_INVALID', `invalid pruning plan: ${issues}`);
  }
  const plan = result.data;
  checkRatio('global_ratio', plan.global_ratio);
  for (const [k, r] of Object.entries(plan.stages ?? {})) checkRatio(`stages.${k}`, r);
  for (const [k, r] of Object.entries(plan.modules ?? {})) checkRatio(`modules.${k}`, r);
  for (const [k, r] of Object.entries(plan.groups ?? {})) checkRatio(`groups.${k}`, r);
  for (const [k, r] of Object.entries(plan.module_hidden ?? {})) checkRatio(`module_hidden.${k}`, r);
  return plan;
}

/** `backbone=0.3,neck=0.2,head=0.1` (or any of the three) → per-part ratios. */
export function parseStages(text: string): Plan['stages'] {
  const stages: Record<string, number> = {};
  for (const part of text.split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    if (k !== 'backbone' && k !== 'neck' && k !== 'head')
      throw new PruneError('PRUNE_UNIT_UNKNOWN', `unknown part '${k}' (backbone, neck, head)`);
    const r = Number(v);
    checkRatio(`stages.${k}`, v === undefined || v === '' ? NaN : r);
    stages[k] = r;
  }
  return stages;
}

/** The default staged split from the literature: the one place its ratios are written. */
export const DEFAULT_STAGES = { backbone: 0.3, neck: 0.2, head: 0.1 } as const;
