// The contract every op entry in the dependency registry fulfils: how the op's input and output channels
// map (coupling), how to cut channels out of it (surgery), which parameter slices carry a channel's
// importance, and which input-side weights stand for a channel when it is removed (the invariant test).

import type { Node, Tensor } from '../../onnx/model';

/** Why channels cannot be removed. Stable strings: they appear in CLI output and plans. */
export type FrozenReasonKind =
  'graph-input' | 'graph-output' | 'head-output' | 'decode-path' | 'unknown-op' | 'unsupported-op-form';

export interface FrozenReason {
  readonly kind: FrozenReasonKind;
  /** The node (or tensor, for graph inputs/outputs) that blocks the channels. */
  readonly at: string;
  readonly detail: string;
}

export interface CouplingContext {
  readonly node: Node;
  readonly opset: number;
  /** Channel count (axis 1) of a tracked tensor; undefined when the tensor is not tracked. */
  channels(tensor: string): number | undefined;
  /** Static dims of any tensor when known (tracked tensors and initializers). */
  dims(tensor: string): readonly number[] | undefined;
  /** The value of a constant operand: an initializer, a Constant node's output, or an Identity of either. */
  constant(name: string): Tensor | undefined;
  /** Nodes reading a tensor (for ops whose meaning depends on how their output is used, such as Shape). */
  consumers(tensor: string): readonly Node[];
  isGraphOutput(tensor: string): boolean;
  /** Channel `a + k` of tensor `ta` is channel `b + k` of `tb` for k in [0, count). */
  coupleRange(ta: string, a: number, tb: string, b: number, count: number): void;
  /** The op creates these channels (a conv's filters): they start a group. */
  source(tensor: string): void;
  /** These channels must stay; the reason is reported. */
  block(tensor: string, kind: FrozenReasonKind, detail: string): void;
}

/** What surgery on one node sees: kept channel indices per input/output (undefined: tensor unchanged). */
export interface SurgeryContext {
  readonly node: Node;
  keptIn(i: number): readonly number[] | undefined;
  keptOut(i: number): readonly number[] | undefined;
  constant(name: string): Tensor | undefined;
  /** Static dims of a tensor before pruning, when known. */
  dims(tensor: string): readonly number[] | undefined;
  /** Default-domain opset of the model. */
  readonly opset: number;
}

/**
 * What surgery changes on one node: new values for constant inputs by input slot (the driver names the new
 * initializers and rewires the node, so constants shared with other nodes are never edited in place), and
 * optionally replaced attributes. A slot past the node's inputs appends an input (e.g. Split sizes).
 */
export interface SurgeryResult {
  readonly inputs?: readonly { readonly slot: number; readonly value: Tensor }[];
  readonly attributes?: Node['attributes'];
}

/** Removed (not kept) channel indices per input, for zeroing input-side weights in the invariant check. */
export interface ZeroingContext {
  readonly node: Node;
  removedIn(i: number): readonly number[] | undefined;
  constant(name: string): Tensor | undefined;
}

export type MemberKind = 'conv-out' | 'conv-in' | 'bn' | 'depthwise';

/**
 * One parameter slice family that carries importance: for channel `c` of `tensor`, `slice(c)` is the weights
 * that belong to that channel (a conv's filter row, a consumer conv's input column, a BN gamma...).
 */
export interface ImportanceMember {
  readonly kind: MemberKind;
  readonly node: string;
  readonly tensor: string;
  slice(channel: number): Float32Array;
  /** BN only: gamma of the channel (Network Slimming). */
  gamma?(channel: number): number;
  /** Σ|w|^p of every channel's slice in one pass over the weights (the l1/l2 fast path). */
  norms?(p: 1 | 2): Float64Array;
}

export interface MemberContext {
  readonly node: Node;
  channels(tensor: string): number | undefined;
  constant(name: string): Tensor | undefined;
}

export interface OpRule {
  /** ONNX op type in the default domain. */
  readonly opType: string;
  couple(ctx: CouplingContext): void;
  /** Called only when one of the node's inputs or outputs lose channels. */
  prune(ctx: SurgeryContext): SurgeryResult;
  /** Parameter slices that score channels; none for shape-only ops. */
  members?(ctx: MemberContext): ImportanceMember[];
  /**
   * Output dims from input dims, for ops core/graph's shape inference does not cover (it is written for the
   * YOLOv8 op set); undefined when they cannot be derived.
   */
  outputDims?(
    node: Node,
    inputDims: readonly (readonly number[] | undefined)[],
  ): (readonly number[] | undefined)[] | undefined;
  /** Zero the input-side weights of removed input channels (a consumer that does not couple in to out). */
  zeroRemovedInputs?(ctx: ZeroingContext): SurgeryResult;
}
