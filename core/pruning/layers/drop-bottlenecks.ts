import type { Model } from '../../onnx/model';
import { PruneError } from '../errors';

/** Placeholder until layer granularity lands: refuses every bottleneck so no plan silently ignores it. */
export function dropBottlenecks(model: Model, names: readonly string[]): Model {
  if (names.length > 0)
    throw new PruneError(
      'PRUNE_UNIT_UNKNOWN',
      `dropping bottlenecks is not implemented yet (${names.join(', ')})`,
    );
  return model;
}
