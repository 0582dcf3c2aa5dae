import { PruneError } from '../errors';
import { bnGammaCriterion } from './bn-gamma';
import type { Criterion, CriterionName } from './criterion';
import { fpgmCriterion } from './fpgm';
import { hrankCriterion } from './hrank';
import { l1Criterion, l2Criterion } from './magnitude';
import { nispCriterion } from './nisp';
import { randomCriterion } from './random';
import { taylorCriterion } from './taylor';

const criteria = new Map<string, Criterion>();
for (const c of [
  l1Criterion,
  l2Criterion,
  bnGammaCriterion,
  fpgmCriterion,
  randomCriterion,
  hrankCriterion,
  nispCriterion,
  taylorCriterion,
]) {
  if (criteria.has(c.name))
    throw new PruneError('PRUNE_RULE_DUPLICATE', `criterion ${c.name} registered twice`);
  criteria.set(c.name, c);
}

export function criterionByName(name: string): Criterion {
  const c = criteria.get(name);
  if (!c)
    throw new PruneError(
      'PRUNE_CRITERION_UNKNOWN',
      `unknown criterion '${name}' (known: ${[...criteria.keys()].join(', ')})`,
    );
  return c;
}

export function criterionNames(): CriterionName[] {
  return [...criteria.keys()] as CriterionName[];
}
