import { OpRegistry } from './op-registry';
import {
  batchNormalizationRule,
  concatRule,
  convRule,
  ELEMENTWISE_OPS,
  elementwiseRule,
  PASS_THROUGH_OPS,
  passThroughRule,
  resizeRule,
  sliceRule,
  softmaxRule,
  shapeRule,
  splitRule,
} from './rules';
import { attentionPattern } from './patterns/attention';

/**
 * The registry the engine uses: every op whose channel semantics it knows, and the subgraph patterns it
 * handles as a whole. Anything else freezes channels.
 */
export function createDefaultRegistry(): OpRegistry {
  const registry = new OpRegistry()
    .register(convRule)
    .register(batchNormalizationRule)
    .register(concatRule)
    .register(splitRule)
    .register(sliceRule)
    .register(resizeRule)
    .register(softmaxRule)
    .register(shapeRule)
    .registerPattern(attentionPattern);
  for (const op of PASS_THROUGH_OPS) registry.register(passThroughRule(op));
  for (const op of ELEMENTWISE_OPS) registry.register(elementwiseRule(op));
  return registry;
}

export const defaultRegistry: OpRegistry = createDefaultRegistry();
