// The channel-level dependency graph: every channel (axis 1) of every tracked tensor is an element; op
// rules join elements that must be removed together. The connected sets ("components") are the atoms of
// pruning: removing one removes that channel from every tensor it appears in. Pattern rules (attention)
// own small subgraphs: their inside tensors are not tracked and their nodes skip the per-op rules.

import { indexGraph } from '../../graph/graph-index';
import { topologicalOrder } from '../../graph/topological-order';
import { inferShapes } from '../../graph/shape-inference';
import { DataType } from '../../onnx/data-type';
import {
  defaultOpset,
  type Dim,
  type Graph,
  type Model,
  type Node,
  type Tensor,
  type ValueInfo,
} from '../../onnx/model';
import { constantResolver } from './constant-resolver';
import { defaultRegistry } from './default-registry';
import type { OpRegistry } from './op-registry';
import type { CouplingContext, FrozenReason, FrozenReasonKind } from './op-rule';
import type { GraphView, PatternMatch } from './pattern-rule';
import { UnionFind } from './union-find';
import { moduleIndexOfNode as moduleIndexOf } from '../../yolo/part-map';
import { isDflNode } from './yolo-naming';

export interface TrackedTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly channels: number;
  /** Element id of channel 0; channel c is base + c. */
  readonly base: number;
}

export interface ChannelGraph {
  readonly model: Model;
  readonly opset: number;
  readonly registry: OpRegistry;
  readonly order: readonly Node[];
  readonly tensors: ReadonlyMap<string, TrackedTensor>;
  /** Component id of each element (dense ids 0..componentCount-1). */
  readonly componentOfElement: Int32Array;
  readonly componentCount: number;
  /** Why a component cannot be removed; undefined when it can. */
  readonly blocked: readonly (FrozenReason | undefined)[];
  /** Tensors whose channels a node creates (conv outputs, graph inputs, outputs of unknown ops), in order. */
  readonly sources: readonly { readonly tensor: string; readonly node: string }[];
  /** Subgraphs handled by pattern rules; their nodes have no per-op rule here. */
  readonly patterns: readonly PatternMatch[];
  patternOf(node: Node): PatternMatch | undefined;
  consumers(tensor: string): readonly Node[];
  isGraphOutput(tensor: string): boolean;
  constant(name: string): Tensor | undefined;
  /** Static dims of a tracked tensor or a constant. */
  dims(tensor: string): readonly number[] | undefined;
}

const FLOAT_TYPES = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.BFLOAT16, DataType.DOUBLE]);

/**
 * Priority when one component has several reasons: the most specific one is reported. An unknown op ranks
 * before an unsupported form because it is usually the cause (its unknown output shape is what a following
 * op then cannot handle).
 */
const REASON_RANK: Record<FrozenReasonKind, number> = {
  'graph-input': 0,
  'graph-output': 1,
  'head-output': 2,
  'decode-path': 3,
  'unknown-op': 4,
  'unsupported-op-form': 5,
};

export function buildChannelGraph(model: Model, registry: OpRegistry = defaultRegistry): ChannelGraph {
  const opset = defaultOpset(model) ?? 17;
  const constant = constantResolver(model.graph);
  const { graph, inference, patterns } = analyseShapes(model.graph, opset, registry, constant);
  const internal = new Set(patterns.flatMap((m) => m.internal));
  const patternOfNode = new Map<Node, PatternMatch>();
  for (const m of patterns) for (const n of m.nodes) patternOfNode.set(n, m);
  const index = indexGraph(graph);
  const tensors = new Map<string, TrackedTensor>();
  let elements = 0;
  const track = (name: string, dims: readonly Dim[]) => {
    const numeric = dims.map((d) => (typeof d === 'number' ? d : 1));
    tensors.set(name, { name, dims: numeric, channels: dims[1] as number, base: elements });
    elements += dims[1] as number;
  };
  for (const [name, shape] of inference.shapes) {
    const dims = shape.dims;
    if (!dims || dims.length < 2 || typeof dims[1] !== 'number' || dims[1] < 1) continue;
    if (!FLOAT_TYPES.has(shape.elemType) || constant(name) !== undefined || internal.has(name)) continue;
    track(name, dims);
  }
  for (const m of patterns) for (const v of m.virtual) track(v.name, [1, v.channels]);
  const dims = (t: string) => tensors.get(t)?.dims ?? constant(t)?.dims;

  const uf = new UnionFind(elements);
  const blocks: { tensor: string; reason: FrozenReason }[] = [];
  const sources: { tensor: string; node: string }[] = [];
  const detectModule = Math.max(-1, ...graph.nodes.map((n) => moduleIndexOf(n.name) ?? -1));
  const order = topologicalOrder(graph);

  for (const v of graph.inputs) {
    if (!tensors.has(v.name)) continue;
    sources.push({ tensor: v.name, node: v.name });
    blocks.push({
      tensor: v.name,
      reason: { kind: 'graph-input', at: v.name, detail: `graph input ${v.name}` },
    });
  }
  for (const v of graph.outputs) {
    if (tensors.has(v.name))
      blocks.push({
        tensor: v.name,
        reason: { kind: 'graph-output', at: v.name, detail: `graph output ${v.name}` },
      });
  }

  const contextFor = (node: Node): CouplingContext => {
    const inDetect = detectModule >= 0 && moduleIndexOf(node.name) === detectModule;
    const decodeKind = (kind: FrozenReasonKind): FrozenReasonKind =>
      isDflNode(node.name) || (inDetect && node.opType !== 'Conv') ? 'decode-path' : kind;
    return {
      node,
      opset,
      channels: (t) => tensors.get(t)?.channels,
      dims,
      constant,
      consumers: (t) => index.consumersOf(t),
      isGraphOutput: (t) => index.isGraphOutput(t),
      coupleRange(ta, a, tb, b, count) {
        const A = tensors.get(ta);
        const B = tensors.get(tb);
        if (!A || !B) return;
        if (a < 0 || b < 0 || a + count > A.channels || b + count > B.channels) {
          throw new Error(
            `${node.name}: coupling [${a}, ${a + count}) of ${ta} with [${b}, ${b + count}) of ${tb} is out of range`,
          );
        }
        for (let k = 0; k < count; k++) uf.union(A.base + a + k, B.base + b + k);
      },
      source(t) {
        if (tensors.has(t)) sources.push({ tensor: t, node: node.name });
      },
      block(tensor, kind, detail) {
        if (tensors.has(tensor))
          blocks.push({ tensor, reason: { kind: decodeKind(kind), at: node.name, detail } });
      },
    };
  };

  for (const node of order) {
    const match = patternOfNode.get(node);
    if (match) {
      // The whole match couples once, at its first node.
      if (match.nodes[0] === node) match.couple(contextFor(node));
      continue;
    }
    const inDefaultDomain = node.domain === '' || node.domain === 'ai.onnx';
    const rule = inDefaultDomain ? registry.get(node.opType) : undefined;
    const touched = [...node.inputs, ...node.outputs].filter((t) => t && tensors.has(t));
    if (touched.length === 0) continue;
    const ctx = contextFor(node);
    if (!rule) {
      for (const t of touched)
        ctx.block(
          t,
          'unknown-op',
          `no channel rule for ${node.domain ? node.domain + '.' : ''}${node.opType}`,
        );
      for (const t of node.outputs) if (tensors.has(t)) sources.push({ tensor: t, node: node.name });
      continue;
    }
    rule.couple(ctx);
    // Outputs the rule neither coupled nor sourced would be orphans; they only arise from a faulty rule.
  }

  // Dense component ids.
  const componentOfElement = new Int32Array(elements);
  const idOfRoot = new Map<number, number>();
  for (let e = 0; e < elements; e++) {
    const root = uf.find(e);
    let id = idOfRoot.get(root);
    if (id === undefined) {
      id = idOfRoot.size;
      idOfRoot.set(root, id);
    }
    componentOfElement[e] = id;
  }
  const blocked: (FrozenReason | undefined)[] = new Array(idOfRoot.size).fill(undefined);
  for (const { tensor, reason } of blocks) {
    const t = tensors.get(tensor)!;
    for (let c = 0; c < t.channels; c++) {
      const id = componentOfElement[t.base + c]!;
      const prev = blocked[id];
      if (!prev || REASON_RANK[reason.kind] < REASON_RANK[prev.kind]) blocked[id] = reason;
    }
  }
  return {
    model,
    opset,
    registry,
    order,
    tensors,
    componentOfElement,
    componentCount: idOfRoot.size,
    blocked,
    sources,
    patterns,
    patternOf: (node) => patternOfNode.get(node),
    consumers: (t) => index.consumersOf(t),
    isGraphOutput: (t) => index.isGraphOutput(t),
    constant,
    dims,
  };
}

/**
 * Shapes of every tensor, with the pattern matches found on them. Patterns may know shapes inference cannot
 * (a view built from Shape at run time): they are declared and inference re-run.
 */
function analyseShapes(
  graph: Graph,
  opset: number,
  registry: OpRegistry,
  constant: (n: string) => Tensor | undefined,
): { graph: Graph; inference: ReturnType<typeof inferShapes>; patterns: PatternMatch[] } {
  const inference = inferWithRuleShapes(graph, opset, registry, constant);
  const index = indexGraph(graph);
  const view: GraphView = {
    graph,
    producerOf: index.producerOf,
    consumersOf: index.consumersOf,
    constant,
    dims: (t) => inference.shapes.get(t)?.dims ?? constant(t)?.dims,
    folded: (t) => inference.constants.get(t)?.values,
    isGraphOutput: index.isGraphOutput,
  };
  const patterns = registry.patterns().flatMap((p) => p.match(view));
  const declared: ValueInfo[] = patterns.flatMap((m) =>
    m.declaredDims
      .filter((d) => typeof inference.shapes.get(d.name)?.dims?.[1] !== 'number')
      .map((d) => ({
        name: d.name,
        type: { kind: 'tensor' as const, elemType: DataType.FLOAT, shape: d.dims },
      })),
  );
  if (declared.length === 0) return { graph, inference, patterns };
  const withDeclared = { ...graph, valueInfo: [...graph.valueInfo, ...declared] };
  return { graph, inference: inferWithRuleShapes(withDeclared, opset, registry, constant), patterns };
}

/**
 * core/graph's inference covers the YOLOv8 op set; for other ops the registry knows, derive output shapes
 * from the rule and re-run with them declared, until nothing new resolves.
 */
function inferWithRuleShapes(
  graph: Graph,
  opset: number,
  registry: OpRegistry,
  constant: (n: string) => Tensor | undefined,
) {
  let current = graph;
  for (let round = 0; ; round++) {
    const inference = inferShapes(current, { opset });
    const declared: ValueInfo[] = [];
    for (const node of inference.unknownOps) {
      const rule = registry.get(node.opType);
      if (!rule?.outputDims || node.outputs.some((o) => inference.shapes.get(o)?.dims)) continue;
      const inputDims = node.inputs.map((t) => {
        const d = t ? (inference.shapes.get(t)?.dims ?? constant(t)?.dims) : undefined;
        return d && d.every((x) => typeof x === 'number') ? (d as number[]) : undefined;
      });
      const outDims = rule.outputDims(node, inputDims);
      const elemType = inference.shapes.get(node.inputs[0] ?? '')?.elemType ?? DataType.FLOAT;
      node.outputs.forEach((o, i) => {
        const d = outDims?.[i];
        if (o && d) declared.push({ name: o, type: { kind: 'tensor', elemType, shape: d } });
      });
    }
    if (declared.length === 0 || round >= 8) return inference;
    current = { ...current, valueInfo: [...current.valueInfo, ...declared] };
  }
}

/** Component id of channel `c` of a tracked tensor. */
export function componentOf(cg: ChannelGraph, tensor: string, c: number): number {
  const t = cg.tensors.get(tensor);
  if (!t) throw new Error(`tensor ${tensor} is not tracked`);
  return cg.componentOfElement[t.base + c]!;
}
