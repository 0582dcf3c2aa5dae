// A Reshape's shape operand as a pattern sees it: the entries it can read (constants, folded shape
// arithmetic, or the constant pieces of a Concat that assembles a dynamic shape) and how to rewrite one
// entry (a new constant for the Reshape's input, or for the Concat's piece).

import { DataType } from '../../../onnx/data-type';
import type { Node, Tensor } from '../../../onnx/model';
import type { SurgeryResult } from '../op-rule';
import type { GraphView } from '../pattern-rule';

export interface ShapeOperand {
  /** Entry values; undefined where only the run time knows them (a batch read through Shape). */
  readonly values: readonly (number | undefined)[];
  /** The edit that sets the constant entries in `changes` (index → value). */
  rewrite(changes: ReadonlyMap<number, number>): [Node, SurgeryResult];
}

export function int64Tensor(values: readonly number[], dims: readonly number[] = [values.length]): Tensor {
  return { name: '', dataType: DataType.INT64, dims, data: BigInt64Array.from(values.map(BigInt)) };
}

export function intValues(view: GraphView, tensor: string): number[] | undefined {
  const t = view.constant(tensor);
  if (t && t.data instanceof BigInt64Array) return Array.from(t.data, Number);
  const folded = view.folded(tensor);
  return folded ? [...folded] : undefined;
}

/** The shape operand (input `slot` of `node`), when every entry a caller may rewrite is a constant. */
export function shapeOperand(view: GraphView, node: Node, slot: number): ShapeOperand | undefined {
  const tensor = node.inputs[slot];
  if (!tensor) return undefined;
  const direct = view.constant(tensor);
  if (direct && direct.data instanceof BigInt64Array) {
    const values = Array.from(direct.data, Number);
    return {
      values,
      rewrite: (changes) => {
        const next = values.map((v, i) => changes.get(i) ?? v);
        return [node, { inputs: [{ slot, value: int64Tensor(next, direct.dims) }] }];
      },
    };
  }
  const concat = view.producerOf(tensor);
  if (concat?.opType !== 'Concat') return undefined;
  const pieces = concat.inputs.map((t) => ({ t, value: view.constant(t) }));
  if (pieces.some((p) => p.value && p.value.data instanceof BigInt64Array && p.value.data.length !== 1))
    return undefined;
  // Non-constant pieces must be single entries (an Unsqueezed scalar), or positions would shift.
  const single = (t: string) => {
    const d = view.dims(t);
    return d?.length === 1 && d[0] === 1;
  };
  if (pieces.some((p) => !p.value && !single(p.t))) return undefined;
  const values = pieces.map((p) =>
    p.value?.data instanceof BigInt64Array ? Number(p.value.data[0]) : undefined,
  );
  return {
    values,
    rewrite: (changes) => {
      const inputs = [...changes].map(([i, v]) => ({ slot: i, value: int64Tensor([v], [1]) }));
      if (inputs.some(({ slot }) => values[slot] === undefined))
        throw new Error(`${concat.name}: a shape entry to rewrite is not a constant`);
      return [concat, { inputs }];
    },
  };
}

/** Adds `result` to the edits of `node`, merging input slots (two views may share one shape node). */
export function addEdit(edits: Map<Node, SurgeryResult>, node: Node, result: SurgeryResult): void {
  const prev = edits.get(node);
  if (!prev) {
    edits.set(node, result);
    return;
  }
  const bySlot = new Map((prev.inputs ?? []).map((e) => [e.slot, e]));
  for (const e of result.inputs ?? []) bySlot.set(e.slot, e);
  edits.set(node, {
    inputs: [...bySlot.values()],
    ...(result.attributes || prev.attributes ? { attributes: result.attributes ?? prev.attributes } : {}),
  });
}
