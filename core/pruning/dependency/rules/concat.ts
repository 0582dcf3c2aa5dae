// Concat on the channel axis places input i's channels at an offset in the output; on any other axis every
// input shares the output's channels one to one.

import { intAttr } from '../../../onnx/attributes';
import type { OpRule } from '../op-rule';

export const concatRule: OpRule = {
  opType: 'Concat',
  couple(ctx) {
    const y = ctx.node.outputs[0]!;
    const rank = ctx.dims(y)?.length;
    const cout = ctx.channels(y);
    const inputs = ctx.node.inputs.filter(Boolean);
    const counts = inputs.map((t) => ctx.channels(t));
    if (rank === undefined || cout === undefined || counts.some((c) => c === undefined)) {
      for (const t of [...inputs, y]) ctx.block(t, 'unsupported-op-form', 'Concat with unknown shapes');
      return;
    }
    const raw = intAttr(ctx.node, 'axis', 1);
    const axis = raw < 0 ? raw + rank : raw;
    let offset = 0;
    inputs.forEach((t, i) => {
      const c = counts[i]!;
      if (axis === 1) ctx.coupleRange(t, 0, y, offset, c);
      else if (c === cout) ctx.coupleRange(t, 0, y, 0, c);
      else ctx.block(t, 'unsupported-op-form', `Concat input ${t} has ${c} channels, output ${cout}`);
      offset += c;
    });
  },
  // Channel counts are implied by the inputs; the node itself has nothing to cut.
  prune: () => ({}),
};
