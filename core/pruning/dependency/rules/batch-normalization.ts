// BatchNormalization couples input channel c to output channel c; its four per-channel tensors are cut
// with the channel. Gamma is what Network Slimming scores.

import { rowOf, selectAlongAxis } from '../../surgery/tensor-slice';
import type { OpRule } from '../op-rule';

export const batchNormalizationRule: OpRule = {
  opType: 'BatchNormalization',
  couple(ctx) {
    const x = ctx.node.inputs[0]!;
    const y = ctx.node.outputs[0]!;
    const params = ctx.node.inputs.slice(1, 5);
    if (params.some((p) => ctx.constant(p) === undefined) || ctx.node.outputs.filter(Boolean).length > 1) {
      ctx.block(
        x,
        'unsupported-op-form',
        'BatchNormalization in training mode or with non-constant statistics',
      );
      ctx.block(
        y,
        'unsupported-op-form',
        'BatchNormalization in training mode or with non-constant statistics',
      );
      return;
    }
    const c = ctx.channels(x);
    if (c !== undefined && ctx.channels(y) === c) ctx.coupleRange(x, 0, y, 0, c);
    else {
      ctx.block(x, 'unsupported-op-form', 'BatchNormalization with unknown channel count');
      ctx.block(y, 'unsupported-op-form', 'BatchNormalization with unknown channel count');
    }
  },
  prune(ctx) {
    const kept = ctx.keptOut(0) ?? ctx.keptIn(0);
    if (!kept) return {};
    return {
      inputs: [1, 2, 3, 4].map((slot) => ({
        slot,
        value: selectAlongAxis(ctx.constant(ctx.node.inputs[slot]!)!, 0, kept),
      })),
    };
  },
  members(ctx) {
    const scale = ctx.constant(ctx.node.inputs[1] ?? '');
    if (!scale) return [];
    return [
      {
        kind: 'bn',
        node: ctx.node.name,
        tensor: ctx.node.outputs[0]!,
        slice: (c: number) => rowOf(scale, c),
        gamma: (c: number) => rowOf(scale, c)[0]!,
      },
    ];
  },
};
