// Tensors that must share one scale: the inputs and outputs of data-movement ops (quantizable-ops.ts,
// `sharesScale`), joined transitively, so a concat or a pool never needs a requantization.

import type { Node } from '../onnx/model';
import type { Range } from './observers';
import { activationInputsOf, QUANTIZABLE_OPS, quantizedOutputsOf } from './quantizable-ops';

export function sharedScaleGroups(nodes: readonly Node[], tensors: ReadonlyMap<string, Range>): string[][] {
  const parent = new Map<string, string>();
  const find = (t: string): string => {
    let root = t;
    while (parent.get(root) !== undefined && parent.get(root) !== root) root = parent.get(root)!;
    parent.set(t, root);
    return root;
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const n of nodes) {
    const op = QUANTIZABLE_OPS[n.opType];
    if (!op?.sharesScale) continue;
    const members = [...activationInputsOf(n, op), ...quantizedOutputsOf(n, op)].filter((t) =>
      tensors.has(t),
    );
    for (const t of members.slice(1)) union(members[0]!, t);
  }
  const groups = new Map<string, string[]>();
  for (const t of parent.keys()) {
    const root = find(t);
    const g = groups.get(root);
    if (g) g.push(t);
    else groups.set(root, [t]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}
