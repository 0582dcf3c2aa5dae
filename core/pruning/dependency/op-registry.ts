import { PruneError } from '../errors';
import type { OpRule } from './op-rule';

/** Op rules by op type. Registration validates the entry and refuses a second rule for the same op. */
export class OpRegistry {
  private readonly rules = new Map<string, OpRule>();

  register(rule: OpRule): this {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(rule.opType)) {
      throw new PruneError('PRUNE_RULE_DUPLICATE', `op rule has an invalid op type '${rule.opType}'`);
    }
    if (this.rules.has(rule.opType)) {
      throw new PruneError('PRUNE_RULE_DUPLICATE', `an op rule for ${rule.opType} is already registered`);
    }
    this.rules.set(rule.opType, rule);
    return this;
  }

  get(opType: string): OpRule | undefined {
    return this.rules.get(opType);
  }

  opTypes(): string[] {
    return [...this.rules.keys()];
  }
}
