import type { Planner } from './compress-input';
import type { CriterionName } from '../core/pruning/importance/criterion';

// Which stages choose on the selection split: the one answer the workflow, the import activity (which carves
// the hold-out), the CLI and the report share. Stages that only train (fine-tunes, the schedule's short
// fine-tunes, Network Slimming, taylor's gradients: the fine-tune split) or only report (evaluation) read none.

/** Per planner: whether it scores candidates on images (scans, search rewards, checks). Every kind says. */
const PLANNER_CHOOSES: Readonly<Record<Planner['kind'], boolean>> = {
  staged: false,
  uniform: false,
  sensitivity: true, // the scan, and with granularity `mixed` the candidate mixes' checks
  amc: true, // episode rewards
  netadapt: true, // each iteration's proposals are scored
};

/** Per criterion: whether it reads images to rank channels (hrank's feature-map ranks on selection images). */
const CRITERION_CHOOSES: Readonly<Record<CriterionName, boolean>> = {
  l1: false,
  l2: false,
  'bn-gamma': false,
  fpgm: false,
  random: false,
  hrank: true,
  nisp: false,
  taylor: false, // its gradients are of the fine-tune split
};

/** Whether a stage of a run with these options chooses on the selection split (so one must be carved). */
export function choosesOnSelection(options: {
  readonly planner: { readonly kind: Planner['kind'] };
  readonly criterion: CriterionName;
  /** INT8 calibrates on the selection split and its accuracy control chooses layers there. */
  readonly quantize?: object;
}): boolean {
  return (
    PLANNER_CHOOSES[options.planner.kind] ||
    CRITERION_CHOOSES[options.criterion] ||
    options.quantize !== undefined
  );
}
