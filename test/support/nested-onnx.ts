import { onnx } from 'onnx-proto';

// Hand-written protobuf for models nested `depth` levels deep. Built inside-out in a loop: onnx-proto's
// encoder recurses per level and would overflow on the very inputs we want to test.

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** The tag (field, wire type 2) and length of a length-delimited field. */
function header(field: number, length: number): Uint8Array {
  return Uint8Array.from([...varint(field * 8 + 2), ...varint(length)]);
}

function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const concat = (...parts: Uint8Array[]) => concatAll(parts);

const lengthDelimited = (field: number, payload: Uint8Array) =>
  concat(header(field, payload.length), payload);

const utf8 = new TextEncoder();
const GRAPH_TYPE = onnx.AttributeProto.AttributeType.GRAPH;
const COND: onnx.IValueInfoProto = { name: 'c', type: { tensorType: { elemType: 9, shape: { dim: [] } } } };

/**
 * ModelProto bytes (opset 17) whose main graph holds an If whose then_branch holds an If ... `depth` deep.
 * `varintTags` tags each then_branch with wire type 0 (varint) instead of 2: onnx-proto's decoder ignores
 * wire types of known fields and still reads a graph; a byte-level reader that trusts them does not.
 */
export function nestedIfModel(depth: number, options: { varintTags?: boolean } = {}): Uint8Array {
  // Level k is head bytes, the level k+1 graph, tail bytes. Lengths are known from the inside out, so
  // the pieces are collected first and copied once (wrapping level by level would be quadratic).
  const leaf = onnx.GraphProto.encode({
    name: 'leaf',
    node: [{ opType: 'Identity', input: ['c'], output: ['y'] }],
    output: [{ name: 'y' }],
  }).finish();
  const heads: Uint8Array[] = [];
  const tails: Uint8Array[] = [];
  let inner = leaf.length;
  for (let level = depth; level >= 1; level--) {
    const attribute = onnx.AttributeProto.encode({ name: 'then_branch', type: GRAPH_TYPE }).finish();
    const node = onnx.NodeProto.encode({ name: `if${level}`, opType: 'If', input: ['c'], output: ['y'] });
    const gTag = options.varintTags
      ? Uint8Array.from([...varint(6 * 8), ...varint(inner)])
      : header(6, inner);
    const attributeHead = concat(attribute, gTag); // AttributeProto.g
    const nodeHead = concat(node.finish(), header(5, attributeHead.length + inner)); // NodeProto.attribute
    const head = concat(header(1, nodeHead.length + attributeHead.length + inner), nodeHead, attributeHead);
    const tail = concat(
      lengthDelimited(2, utf8.encode(level === 1 ? 'main' : `g${level}`)), // GraphProto.name
      onnx.GraphProto.encode({ input: level === 1 ? [COND] : [], output: [{ name: 'y' }] }).finish(),
    );
    heads.push(head);
    tails.push(tail);
    inner += head.length + tail.length;
  }
  return modelWith(concatAll([...heads.reverse(), leaf, ...tails]));
}

/** ModelProto bytes whose graph input is a sequence of sequences ... of float tensors, `depth` deep. */
export function nestedSequenceModel(depth: number): Uint8Array {
  let type = onnx.TypeProto.encode({ tensorType: { elemType: 1 } }).finish();
  // TypeProto.sequence_type → TypeProto.Sequence.elem_type → TypeProto
  for (let level = 0; level < depth; level++) type = lengthDelimited(4, lengthDelimited(1, type));
  const input = concat(onnx.ValueInfoProto.encode({ name: 'x' }).finish(), lengthDelimited(2, type));
  return modelWith(
    concat(
      lengthDelimited(11, input), // GraphProto.input
      onnx.GraphProto.encode({
        name: 'main',
        node: [{ opType: 'Identity', input: ['x'], output: ['y'] }],
      }).finish(),
    ),
  );
}

function modelWith(graph: Uint8Array): Uint8Array {
  const head = onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ version: 17 }] }).finish();
  return concat(head, lengthDelimited(7, graph)); // ModelProto.graph
}
