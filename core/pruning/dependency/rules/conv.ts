// Conv: output channels are new (a group starts here); input channels are consumed by the filters' columns.
// A depthwise conv (group == in == out) couples input channel c to output channel c instead. Other grouped
// convs and convs whose weights are not constants are frozen, never guessed.

import { intAttr } from '../../../onnx/attributes';
import type { Node } from '../../../onnx/model';
import { columnOf, rowOf, selectAlongAxis, zeroAlongAxis } from '../../surgery/tensor-slice';
import type { OpRule, SurgeryResult } from '../op-rule';

type ConvForm = 'dense' | 'depthwise' | 'unsupported';

function formOf(node: Node, cin: number | undefined, cout: number | undefined): ConvForm {
  const group = intAttr(node, 'group', 1);
  if (group === 1) return 'dense';
  if (cin !== undefined && group === cin && cout === cin) return 'depthwise';
  return 'unsupported';
}

export const convRule: OpRule = {
  opType: 'Conv',
  couple(ctx) {
    const [x = '', w = '', b = ''] = ctx.node.inputs;
    const y = ctx.node.outputs[0]!;
    const cin = ctx.channels(x);
    const cout = ctx.channels(y);
    const form = formOf(ctx.node, cin, cout);
    const constantParams = ctx.constant(w) !== undefined && (b === '' || ctx.constant(b) !== undefined);
    if (form === 'unsupported' || !constantParams) {
      const detail = !constantParams
        ? 'weights are not constants'
        : `grouped conv (group=${intAttr(ctx.node, 'group', 1)})`;
      ctx.block(x, 'unsupported-op-form', detail);
      ctx.block(y, 'unsupported-op-form', detail);
      return;
    }
    if (form === 'depthwise') ctx.coupleRange(x, 0, y, 0, cin!);
    else ctx.source(y);
  },
  prune(ctx) {
    const [, w = '', b = ''] = ctx.node.inputs;
    const weight = ctx.constant(w)!;
    const keptIn = ctx.keptIn(0);
    const keptOut = ctx.keptOut(0);
    const form = formOf(ctx.node, weight.dims[1]! * intAttr(ctx.node, 'group', 1), weight.dims[0]);
    const inputs: { slot: number; value: typeof weight }[] = [];
    let newWeight = weight;
    if (keptOut) newWeight = selectAlongAxis(newWeight, 0, keptOut);
    if (keptIn && form === 'dense') newWeight = selectAlongAxis(newWeight, 1, keptIn);
    if (newWeight !== weight) inputs.push({ slot: 1, value: newWeight });
    const bias = b ? ctx.constant(b) : undefined;
    if (bias && keptOut) inputs.push({ slot: 2, value: selectAlongAxis(bias, 0, keptOut) });
    const result: SurgeryResult = { inputs };
    if (form === 'depthwise' && keptOut) {
      return {
        ...result,
        attributes: { ...ctx.node.attributes, group: { type: 'int', value: keptOut.length } },
      };
    }
    return result;
  },
  members(ctx) {
    const [x = '', w = ''] = ctx.node.inputs;
    const y = ctx.node.outputs[0]!;
    const weight = ctx.constant(w);
    if (!weight) return [];
    const form = formOf(ctx.node, ctx.channels(x), ctx.channels(y));
    if (form === 'unsupported') return [];
    const data = weight.data as Float32Array;
    const [o, i] = [weight.dims[0]!, weight.dims[1]!];
    const k = data.length / (o * i);
    // One pass over the weights gives every output row's and input column's norm; memoised per p.
    const memo = new Map<number, [Float64Array, Float64Array]>();
    const norms = (p: 1 | 2, axis: 0 | 1) => {
      const hit = memo.get(p);
      if (hit) return hit[axis];
      const rows = new Float64Array(o);
      const cols = new Float64Array(i);
      for (let a = 0; a < o; a++) {
        for (let b = 0; b < i; b++) {
          let s = 0;
          const base = (a * i + b) * k;
          for (let j = 0; j < k; j++) {
            const w = data[base + j]!;
            s += p === 1 ? Math.abs(w) : w * w;
          }
          rows[a]! += s;
          cols[b]! += s;
        }
      }
      memo.set(p, [rows, cols]);
      return axis === 0 ? rows : cols;
    };
    const out = {
      node: ctx.node.name,
      tensor: y,
      slice: (c: number) => rowOf(weight, c),
      norms: (p: 1 | 2) => norms(p, 0),
    };
    if (form === 'depthwise') return [{ ...out, kind: 'depthwise' }];
    return [
      { ...out, kind: 'conv-out' },
      {
        kind: 'conv-in',
        node: ctx.node.name,
        tensor: x,
        slice: (c: number) => columnOf(weight, c),
        norms: (p: 1 | 2) => norms(p, 1),
      },
    ];
  },
  zeroRemovedInputs(ctx) {
    const removed = ctx.removedIn(0);
    const w = ctx.node.inputs[1]!;
    const weight = ctx.constant(w)!;
    if (!removed || removed.length === 0 || intAttr(ctx.node, 'group', 1) !== 1) return {};
    return { inputs: [{ slot: 1, value: zeroAlongAxis(weight, 1, removed) }] };
  },
};
