import type { onnx } from 'onnx-proto';
import { OnnxFormatError } from './errors';
import { type Depth, MEASURED_DEPTH, walkModelBytes, WireError } from './wire-walk';

// onnx-proto's generated decoder and encoder, and our converters, recurse once per nested message. A
// hostile file nesting If/Loop bodies (or sequence types) thousands deep would overflow the call stack,
// so nesting is bounded twice: on the bytes before decoding, which keeps the decoder itself safe for
// any well-formed file, and on the decoded objects, which is exact whatever tricks the wire encoding
// plays on the byte-level walk (mismatched wire types, oversized varints).

/** Most subgraph levels (If/Loop bodies inside bodies), and most nested sequence/map/optional types. */
export const MAX_NESTING_DEPTH = 64;

function refuseDeep(deepest: Depth): void {
  for (const level of ['subgraph', 'type'] as const) {
    const depth = deepest[level];
    if (depth <= MAX_NESTING_DEPTH) continue;
    const what = level === 'subgraph' ? 'If/Loop subgraphs' : 'sequence/map/optional types';
    const levels = depth > MEASURED_DEPTH ? `more than ${MEASURED_DEPTH}` : String(depth);
    throw new OnnxFormatError(
      'ONNX_NESTING_TOO_DEEP',
      `${what} nest ${levels} levels deep; the limit is ${MAX_NESTING_DEPTH}`,
    );
  }
}

/**
 * Refuses ModelProto bytes nested deeper than MAX_NESTING_DEPTH before the recursive decoder sees them.
 * Otherwise-malformed bytes pass: the protobuf decoder names those problems more precisely.
 */
export function checkNestingDepth(bytes: Uint8Array): void {
  const deepest: Depth = { subgraph: 0, type: 0 };
  try {
    walkModelBytes(bytes, () => {}, deepest);
  } catch (err) {
    if (!(err instanceof WireError)) throw err;
  }
  refuseDeep(deepest);
}

/** The same limit on a decoded ModelProto, walked with explicit stacks. */
export function checkDecodedNesting(proto: onnx.IModelProto): void {
  const deepest: Depth = { subgraph: 0, type: 0 };
  const graphs: [onnx.IGraphProto, number][] = [];
  const types: [onnx.ITypeProto, number][] = [];
  const addNodes = (nodes: onnx.INodeProto[] | null | undefined, depth: number) => {
    for (const a of (nodes ?? []).flatMap((n) => n.attribute ?? [])) {
      for (const g of [a.g, ...(a.graphs ?? [])]) if (g) graphs.push([g, depth + 1]);
      for (const t of [a.tp, ...(a.typeProtos ?? [])]) if (t) types.push([t, 0]);
    }
  };
  if (proto.graph) graphs.push([proto.graph, 0]);
  for (const t of proto.trainingInfo ?? []) {
    for (const g of [t.initialization, t.algorithm]) if (g) graphs.push([g, 0]);
  }
  for (const f of proto.functions ?? []) addNodes(f.node, 0);
  for (let next = graphs.pop(); next; next = graphs.pop()) {
    const [g, depth] = next;
    deepest.subgraph = Math.max(deepest.subgraph, depth);
    for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) {
      if (v.type) types.push([v.type, 0]);
    }
    addNodes(g.node, depth);
  }
  for (let next = types.pop(); next; next = types.pop()) {
    const [t, depth] = next;
    deepest.type = Math.max(deepest.type, depth);
    for (const inner of [t.sequenceType?.elemType, t.mapType?.valueType, t.optionalType?.elemType]) {
      if (inner) types.push([inner, depth + 1]);
    }
  }
  refuseDeep(deepest);
}
