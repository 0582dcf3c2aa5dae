// A pattern rule handles a small subgraph whose channel semantics no single op shows: attention views a conv
// output as [batch, heads, width, positions], splits it along axis 2 and mixes positions with MatMuls. The
// pattern owns those nodes: the per-op rules skip them, the tensors inside are not tracked, and the match
// declares how its boundary tensors' channels couple, how to cut its nodes, and how the correctness
// invariant's reference silences removed channels. Registered next to the op rules (op-registry.ts).

import type { Dim, Graph, Node } from '../../onnx/model';
import type { Tensor } from '../../onnx/model';
import type { CouplingContext, SurgeryResult } from './op-rule';

/** What a matcher sees of the graph (built once per channel graph). */
export interface GraphView {
  readonly graph: Graph;
  producerOf(tensor: string): Node | undefined;
  consumersOf(tensor: string): readonly Node[];
  constant(tensor: string): Tensor | undefined;
  /** Inferred dims (numbers, symbolic names or null) when the rank is known. */
  dims(tensor: string): readonly Dim[] | undefined;
  /** Values of a small integer tensor folded by shape inference (shape arithmetic), when known. */
  folded(tensor: string): readonly number[] | undefined;
  isGraphOutput(tensor: string): boolean;
}

/** Kept channel indices of any tracked (or virtual) tensor; undefined when it keeps all. */
export interface PatternSurgeryContext {
  kept(tensor: string): readonly number[] | undefined;
  readonly opset: number;
}

export interface PatternZeroingContext {
  /** Removed channel indices of a tracked tensor; undefined when none. */
  removed(tensor: string): readonly number[] | undefined;
  /** The constant at input `slot` of `node`, with the reference's earlier edits applied. */
  input(node: Node, slot: number): Tensor | undefined;
  producerOf(tensor: string): Node | undefined;
}

export interface PatternMatch {
  readonly pattern: string;
  /** The nodes the match owns, in graph order; per-op rules never see them. */
  readonly nodes: readonly Node[];
  /** Tensors inside the match (not tracked as channel tensors). */
  readonly internal: readonly string[];
  /**
   * Channel sets that exist only inside the match (e.g. attention's key width) as tracked pseudo-tensors, so
   * that groups see them as segments (rounded per segment, never emptied). No node reads or writes them.
   */
  readonly virtual: readonly { readonly name: string; readonly channels: number }[];
  /** Tracked tensors on the match's boundary: read (inputs) and written (outputs). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Output dims the match knows when shape inference cannot (views assembled from Shape at run time). */
  readonly declaredDims: readonly { readonly name: string; readonly dims: readonly Dim[] }[];
  couple(ctx: CouplingContext): void;
  /** Edits of owned nodes (and of the shape nodes feeding them) for the kept channels. */
  prune(ctx: PatternSurgeryContext): ReadonlyMap<Node, SurgeryResult>;
  /**
   * The invariant's reference: edits of the unpruned graph after which the removed channels contribute
   * nothing, as a pruned model computes. Needed where no consumer has weights to zero (a MatMul).
   */
  zeroRemoved(ctx: PatternZeroingContext): ReadonlyMap<Node, SurgeryResult>;
}

export interface PatternRule {
  readonly name: string;
  /** Every non-overlapping occurrence in the graph. */
  match(view: GraphView): PatternMatch[];
}
