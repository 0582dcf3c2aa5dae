import type { Dim, Graph, Node, ValueInfo } from '../onnx/model';
import { type ConstValue, type ValueShape } from './value-shape';
import { shapeRules, ShapeUnknown, tensorConstant } from './shape-rules';
import { topologicalOrder } from './topological-order';

export interface ShapeInferenceOptions {
  /** Default-domain opset (decides Split/Slice/Unsqueeze forms). Default 17. */
  readonly opset?: number;
  /** Replace the declared shape of graph inputs, e.g. to pin a dynamic batch to 1. */
  readonly inputShapes?: Readonly<Record<string, readonly Dim[]>>;
}

export interface ShapeInference {
  /** Every tensor whose shape is known: graph inputs, initializers, node outputs. */
  readonly shapes: ReadonlyMap<string, ValueShape>;
  /** Small tensors whose values are known statically. */
  readonly constants: ReadonlyMap<string, ConstValue>;
  /** Nodes whose op has no shape rule: kept in the graph, outputs taken from value_info when declared. */
  readonly unknownOps: readonly Node[];
  /** Nodes with a rule that could not run (an input shape or operand value was unknown). */
  readonly unresolved: readonly { readonly node: Node; readonly reason: string }[];
}

function declared(v: ValueInfo): ValueShape | undefined {
  return v.type?.kind === 'tensor' ? { elemType: v.type.elemType, dims: v.type.shape } : undefined;
}

/**
 * Propagates shapes through the graph in topological order using the rules in shape-rules.ts, folding
 * small integer arithmetic (Shape → Gather → Add → ...) so that Reshape/Slice targets resolve. Never throws
 * for an unknown op or an unresolvable shape: those are reported.
 */
export function inferShapes(graph: Graph, options: ShapeInferenceOptions = {}): ShapeInference {
  const opset = options.opset ?? 17;
  const shapes = new Map<string, ValueShape>();
  const constants = new Map<string, ConstValue>();
  const declaredShapes = new Map<string, ValueShape>();
  for (const v of [...graph.valueInfo, ...graph.outputs]) {
    const s = declared(v);
    if (s) declaredShapes.set(v.name, s);
  }
  for (const v of graph.inputs) {
    const override = options.inputShapes?.[v.name];
    const s = declared(v);
    if (override) shapes.set(v.name, { elemType: s?.elemType ?? 1, dims: override });
    else if (s) shapes.set(v.name, s);
  }
  for (const [name, t] of graph.initializers) {
    shapes.set(name, { elemType: t.dataType, dims: t.dims });
    const c = tensorConstant(t);
    if (c) constants.set(name, c);
  }

  const unknownOps: Node[] = [];
  const unresolved: { node: Node; reason: string }[] = [];
  for (const node of topologicalOrder(graph)) {
    const rule = node.domain === '' || node.domain === 'ai.onnx' ? shapeRules[node.opType] : undefined;
    if (!rule) {
      unknownOps.push(node);
      for (const out of node.outputs) {
        const s = declaredShapes.get(out);
        if (s) shapes.set(out, s);
      }
      continue;
    }
    try {
      const results = rule({
        node,
        opset,
        shapes: node.inputs.map((t) => (t ? shapes.get(t) : undefined)),
        constants: node.inputs.map((t) => (t ? constants.get(t) : undefined)),
      });
      node.outputs.forEach((out, i) => {
        const r = results[i];
        if (!out || !r) return;
        shapes.set(out, r.shape);
        if (r.constant) constants.set(out, r.constant);
      });
    } catch (err) {
      if (!(err instanceof ShapeUnknown) && !(err instanceof Error)) throw err;
      unresolved.push({ node, reason: err.message });
      for (const out of node.outputs) {
        const s = declaredShapes.get(out);
        if (s) shapes.set(out, s);
      }
    }
  }
  return { shapes, constants, unknownOps, unresolved };
}
