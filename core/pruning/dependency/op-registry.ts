import { PruneError } from '../errors';
import type { OpRule } from './op-rule';
import type { PatternRule } from './pattern-rule';

/**
 * Op rules by op type, and pattern rules (subgraphs such as attention) by name. Registration validates the
 * entry and refuses a second rule for the same op or pattern.
 */
export class OpRegistry {
  private readonly rules = new Map<string, OpRule>();
  private readonly patternRules = new Map<string, PatternRule>();

  registerPattern(rule: PatternRule): this {
    if (this.patternRules.has(rule.name)) {
      throw new PruneError('PRUNE_RULE_DUPLICATE', `a pattern rule named ${rule.name} is already registered`);
    }
    this.patternRules.set(rule.name, rule);
    return this;
  }

  patterns(): PatternRule[] {
    return [...this.patternRules.values()];
  }

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
