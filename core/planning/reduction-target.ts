/**
 * What a plan is made to meet: fractions of the original model's deploy-form FLOPs and parameters to remove
 * (0.5: half). Either, both, or neither (fixed ratios as given).
 */
export interface ReductionTarget {
  flopsReduction?: number;
  paramsReduction?: number;
}
