// Multi-head attention as ultralytics' Attention exports it (YOLO11's C2PSA, YOLOv10's PSA):
//
//   qkv [B, C, H, W] ─Reshape→ [B, heads, 2·kd + hd, N] ─Split(axis 2)→ q, k, v
//   softmax((q·scale)ᵀ k) applied to v ─Reshape→ [B, heads·hd, H, W]   (and v ─Reshape→ the same, for pe)
//
// Channel h·(2kd+hd) + j of qkv is, per head h: the key dim j of q (j < kd), of k (kd ≤ j < 2kd), or the value
// dim j − 2kd of v. The views require every head to keep the same widths, so one channel of the pattern is a
// key dim across all heads of q and k together (a dot-product term: removing it from q and k is exact once
// it is silenced in q), or a value dim across all heads of v together with its channels in the two views
// back to [B, C, H, W] (which the positional conv and the projection read like any conv input). The key width
// is a virtual segment of the qkv group, so it is rounded on its own and never emptied. Surgery rewrites the
// view shapes and the split sizes; the scale constant stays, so the pruned model computes what the original
// computes with those dims silenced.

import { intAttr, intsAttr } from '../../../onnx/attributes';
import type { Node } from '../../../onnx/model';
import { PruneError } from '../../errors';
import { zeroAlongAxis } from '../../surgery/tensor-slice';
import type { SurgeryResult } from '../op-rule';
import type { GraphView, PatternMatch, PatternRule } from '../pattern-rule';
import { addEdit, int64Tensor, intValues, shapeOperand, type ShapeOperand } from './shape-operand';

const TRANSPOSE_LAST_TWO = [0, 1, 3, 2];

function isTransposeLastTwo(node: Node | undefined): node is Node {
  const perm = node && node.opType === 'Transpose' ? intsAttr(node, 'perm') : undefined;
  return perm !== undefined && perm.join() === TRANSPOSE_LAST_TWO.join();
}

interface Walk {
  readonly view: GraphView;
  readonly owned: Node[];
  readonly internal: string[];
}

/** The only reader of `tensor`, recorded as internal; undefined when it has none or several. */
function onlyReader(w: Walk, tensor: string): Node | undefined {
  const readers = w.view.consumersOf(tensor);
  if (readers.length !== 1 || w.view.isGraphOutput(tensor)) return undefined;
  w.internal.push(tensor);
  return readers[0];
}

/** Skips element-wise scaling by a scalar constant (q·scale, logits/√d); returns the first other reader. */
function skipScalars(w: Walk, tensor: string): { node: Node | undefined; tensor: string } {
  let t = tensor;
  for (;;) {
    const next = onlyReader(w, t);
    const other = next?.inputs.find((i) => i !== t);
    const scalar =
      (next?.opType === 'Mul' || (next?.opType === 'Div' && next.inputs[0] === t)) &&
      other !== undefined &&
      w.view.constant(other)?.dims.reduce((a, b) => a * b, 1) === 1;
    if (!scalar) return { node: next, tensor: t };
    w.owned.push(next!);
    t = next!.outputs[0]!;
  }
}

function splitSizes(view: GraphView, split: Node): number[] | undefined {
  return split.inputs[1] ? intValues(view, split.inputs[1]) : intsAttr(split, 'split')?.slice();
}

/** A view back to [B, C, H, W] whose channel entry is a constant. */
function imageView(view: GraphView, reshape: Node | undefined, channels: number): ShapeOperand | undefined {
  if (reshape?.opType !== 'Reshape') return undefined;
  const operand = shapeOperand(view, reshape, 1);
  return operand && operand.values.length === 4 && operand.values[1] === channels ? operand : undefined;
}

function matchAt(view: GraphView, split: Node): PatternMatch | undefined {
  const w: Walk = { view, owned: [], internal: [] };
  if (split.outputs.length !== 3 || split.outputs.some((o) => !o)) return undefined;
  const headsView = view.producerOf(split.inputs[0]!);
  if (headsView?.opType !== 'Reshape') return undefined;
  const qkv = headsView.inputs[0]!;
  const qkvDims = view.dims(qkv);
  const channels = qkvDims?.[1];
  if (qkvDims?.length !== 4 || typeof channels !== 'number') return undefined;
  if (view.consumersOf(qkv).length !== 1 || view.isGraphOutput(qkv)) return undefined;
  const heads4 = shapeOperand(view, headsView, 1);
  const [, heads, perHead] = heads4?.values ?? [];
  if (heads4?.values.length !== 4 || heads === undefined || perHead === undefined) return undefined;
  if (heads * perHead !== channels) return undefined;
  const axis = intAttr(split, 'axis', 0);
  if (axis !== 2 && axis !== -2) return undefined;
  const sizes = splitSizes(view, split);
  if (!sizes || sizes.length !== 3 || sizes[0] !== sizes[1]) return undefined;
  const [keyDim, , headDim] = sizes as [number, number, number];
  if (2 * keyDim + headDim !== perHead || keyDim < 1 || headDim < 1) return undefined;
  if (onlyReader(w, headsView.outputs[0]!) !== split) return undefined;
  w.owned.push(headsView, split);
  const [q, k, v] = split.outputs as [string, string, string];

  // q → scalars → Transpose → MatMul(qᵀ, k) → scalars → Softmax(last) → Transpose → MatMul(v, ·) → view
  const qt = skipScalars(w, q).node;
  if (!isTransposeLastTwo(qt)) return undefined;
  w.owned.push(qt);
  const logits = onlyReader(w, qt.outputs[0]!);
  if (logits?.opType !== 'MatMul' || logits.inputs[0] !== qt.outputs[0] || logits.inputs[1] !== k)
    return undefined;
  if (onlyReader(w, k) !== logits) return undefined;
  w.owned.push(logits);
  const softmax = skipScalars(w, logits.outputs[0]!).node;
  if (softmax?.opType !== 'Softmax' || ![-1, 3].includes(intAttr(softmax, 'axis', -1))) return undefined;
  w.owned.push(softmax);
  const attnT = onlyReader(w, softmax.outputs[0]!);
  if (!isTransposeLastTwo(attnT)) return undefined;
  w.owned.push(attnT);
  const mixed = onlyReader(w, attnT.outputs[0]!);
  if (mixed?.opType !== 'MatMul' || mixed.inputs[0] !== v || mixed.inputs[1] !== attnT.outputs[0])
    return undefined;
  w.owned.push(mixed);
  const outView = onlyReader(w, mixed.outputs[0]!);
  const valueChannels = heads * headDim;
  const out = imageView(view, outView, valueChannels);
  if (!out) return undefined;
  w.owned.push(outView!);
  // v is read by the MatMul and, in ultralytics' block, by a second view feeding the positional conv.
  const vReaders = view.consumersOf(v).filter((n) => n !== mixed);
  if (vReaders.length > 1 || view.isGraphOutput(v)) return undefined;
  const peView = vReaders[0];
  const pe = peView ? imageView(view, peView, valueChannels) : undefined;
  if (peView && !pe) return undefined;
  if (peView) w.owned.push(peView);
  w.internal.push(v);

  const outputs = [outView!.outputs[0]!, ...(peView ? [peView.outputs[0]!] : [])];
  const keyWidth = `${headsView.name}#key-width`;
  const ownedSet = new Set(w.owned);
  const imageDims = [qkvDims[0] ?? null, valueChannels, qkvDims[2] ?? null, qkvDims[3] ?? null];
  return {
    pattern: 'attention',
    nodes: view.graph.nodes.filter((n) => ownedSet.has(n)),
    internal: [...new Set(w.internal)],
    virtual: [{ name: keyWidth, channels: keyDim }],
    inputs: [qkv],
    outputs,
    declaredDims: outputs.map((o) => ({ name: o, dims: imageDims })),
    couple(ctx) {
      for (let h = 0; h < heads; h++) {
        const base = h * perHead;
        ctx.coupleRange(qkv, base, keyWidth, 0, keyDim);
        ctx.coupleRange(qkv, base + keyDim, keyWidth, 0, keyDim);
        for (const o of outputs) ctx.coupleRange(qkv, base + 2 * keyDim, o, h * headDim, headDim);
        ctx.coupleRange(outputs[0]!, h * headDim, outputs[0]!, 0, headDim);
      }
    },
    prune(ctx) {
      const kept = ctx.kept(qkv);
      const edits = new Map<Node, SurgeryResult>();
      if (!kept) return edits;
      const head0 = kept.filter((c) => c < perHead);
      const kd = head0.filter((c) => c < keyDim).length;
      const hd = head0.filter((c) => c >= 2 * keyDim).length;
      const [hn, hr] = heads4.rewrite(new Map([[2, 2 * kd + hd]]));
      addEdit(edits, hn, hr);
      const newSizes = [kd, kd, hd];
      if (split.inputs[1]) addEdit(edits, split, { inputs: [{ slot: 1, value: int64Tensor(newSizes) }] });
      else
        addEdit(edits, split, {
          inputs: [],
          attributes: { ...split.attributes, split: { type: 'ints', value: newSizes } },
        });
      for (const operand of [out, pe]) {
        if (!operand) continue;
        const [n, r] = operand.rewrite(new Map([[1, heads * hd]]));
        addEdit(edits, n, r);
      }
      return edits;
    },
    zeroRemoved(ctx) {
      // Silence removed key dims of q and k where qkv is made: its BN (γ = β = 0) or its biased conv.
      const removed = (ctx.removed(qkv) ?? []).filter((c) => c % perHead < 2 * keyDim);
      const edits = new Map<Node, SurgeryResult>();
      if (removed.length === 0) return edits;
      const producer = ctx.producerOf(qkv);
      const slots =
        producer?.opType === 'BatchNormalization'
          ? [1, 2]
          : producer?.opType === 'Conv' && intAttr(producer, 'group', 1) === 1
            ? [1, 2]
            : undefined;
      if (!producer || !slots)
        throw new PruneError(
          'PRUNE_SURGERY_FAILED',
          `cannot silence key dims of ${qkv}: it is made by ${producer?.opType ?? 'a graph input'}`,
        );
      const inputs = slots.flatMap((slot) => {
        const value = ctx.input(producer, slot);
        return value ? [{ slot, value: zeroAlongAxis(value, 0, removed) }] : [];
      });
      edits.set(producer, { inputs });
      return edits;
    },
  };
}

export const attentionPattern: PatternRule = {
  name: 'attention',
  match(view) {
    const matches: PatternMatch[] = [];
    const taken = new Set<Node>();
    for (const node of view.graph.nodes) {
      if (node.opType !== 'Split' || taken.has(node)) continue;
      const m = matchAt(view, node);
      if (!m || m.nodes.some((n) => taken.has(n))) continue;
      m.nodes.forEach((n) => taken.add(n));
      matches.push(m);
    }
    return matches;
  },
};
