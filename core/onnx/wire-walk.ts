// A wire-level walk over ModelProto bytes, driven by the field numbers of onnx-proto's schema (ONNX
// 1.10.2), with an explicit stack instead of recursion, so that it can look at files too deeply nested
// for the recursive protobuf decoder (see nesting.ts) and find fields that decoder skips
// (unknown-fields.ts).

type ShapeName =
  | 'ModelProto'
  | 'GraphProto'
  | 'NodeProto'
  | 'AttributeProto'
  | 'TensorProto'
  | 'ValueInfoProto'
  | 'TypeProto'
  | 'TypeProto.Sequence'
  | 'TypeProto.Map'
  | 'TypeProto.Optional'
  | 'FunctionProto'
  | 'TrainingInfoProto';

type Level = 'subgraph' | 'type';

export interface MessageShape {
  readonly name: ShapeName;
  /** Field numbers the decoder knows. */
  readonly known: ReadonlySet<number>;
  /** Field number → the message inside it, for fields we descend into. */
  readonly nested?: Readonly<Partial<Record<number, ShapeName>>>;
  /** Nested fields that start one more level of a recursive structure. */
  readonly levels?: Readonly<Partial<Record<number, Level>>>;
}

const shape = (
  name: ShapeName,
  known: number[],
  nested?: MessageShape['nested'],
  levels?: MessageShape['levels'],
): MessageShape => ({ name, known: new Set(known), nested, levels });

// Only the messages on a path to a recursive one (GraphProto, TypeProto), plus tensors and value infos.
const SHAPES: Readonly<Record<ShapeName, MessageShape>> = Object.fromEntries(
  [
    shape('ModelProto', [1, 2, 3, 4, 5, 6, 7, 8, 14, 20, 25], {
      7: 'GraphProto',
      20: 'TrainingInfoProto',
      25: 'FunctionProto',
    }),
    shape('GraphProto', [1, 2, 5, 10, 11, 12, 13, 14, 15], {
      1: 'NodeProto',
      5: 'TensorProto',
      11: 'ValueInfoProto',
      12: 'ValueInfoProto',
      13: 'ValueInfoProto',
    }),
    shape('NodeProto', [1, 2, 3, 4, 5, 6, 7], { 5: 'AttributeProto' }),
    shape(
      'AttributeProto',
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 20, 21, 22, 23],
      {
        5: 'TensorProto',
        6: 'GraphProto',
        10: 'TensorProto',
        11: 'GraphProto',
        14: 'TypeProto',
        15: 'TypeProto',
      },
      { 6: 'subgraph', 11: 'subgraph' },
    ),
    shape('TensorProto', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
    shape('ValueInfoProto', [1, 2, 3], { 2: 'TypeProto' }),
    shape('TypeProto', [1, 4, 5, 6, 8, 9], {
      4: 'TypeProto.Sequence',
      5: 'TypeProto.Map',
      9: 'TypeProto.Optional',
    }),
    shape('TypeProto.Sequence', [1], { 1: 'TypeProto' }, { 1: 'type' }),
    shape('TypeProto.Map', [1, 2], { 2: 'TypeProto' }, { 2: 'type' }),
    shape('TypeProto.Optional', [1], { 1: 'TypeProto' }, { 1: 'type' }),
    shape('FunctionProto', [1, 4, 5, 6, 7, 8, 9, 10], { 7: 'NodeProto' }),
    shape('TrainingInfoProto', [1, 2, 3, 4], { 1: 'GraphProto', 2: 'GraphProto' }),
  ].map((s) => [s.name, s]),
) as Record<ShapeName, MessageShape>;

/** A malformed wire encoding; the protobuf decoder, not this walk, gets to say what is wrong. */
export class WireError extends Error {}

function readVarint(bytes: Uint8Array, pos: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= bytes.length) throw new WireError('varint past end');
    const b = bytes[pos++]!;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return [value, pos];
    scale *= 128;
  }
  throw new WireError('varint too long');
}

export interface WireField {
  readonly number: number;
  /** Offsets of the tag, the payload (after the length for wire type 2) and the next field. */
  readonly start: number;
  readonly payloadStart: number;
  readonly next: number;
}

function readField(bytes: Uint8Array, pos: number, end: number): WireField & { wire: number } {
  const [tag, afterTag] = readVarint(bytes, pos);
  const wire = tag & 7;
  let payloadStart = afterTag;
  let next: number;
  if (wire === 0) next = readVarint(bytes, afterTag)[1];
  else if (wire === 1) next = afterTag + 8;
  else if (wire === 5) next = afterTag + 4;
  else if (wire === 2) {
    const [length, afterLength] = readVarint(bytes, afterTag);
    payloadStart = afterLength;
    next = afterLength + length;
  } else throw new WireError(`wire type ${wire}`);
  if (next > end) throw new WireError('field past end');
  return { number: Math.floor(tag / 8), wire, start: pos, payloadStart, next };
}

interface Frame {
  readonly shape: MessageShape;
  pos: number;
  readonly end: number;
  readonly depth: Depth;
}

/** Levels of each recursive structure on the path to a message (the main graph is subgraph level 0). */
export interface Depth {
  subgraph: number;
  type: number;
}

// Past this the walk stops descending, which keeps its memory bounded.
export const MEASURED_DEPTH = 10_000;

/**
 * Visits every field of ModelProto `bytes` and of the messages described above, depth first in file
 * order, and records in `deepest` the deepest nesting seen. Throws WireError on malformed bytes.
 */
export function walkModelBytes(
  bytes: Uint8Array,
  visit: (shape: MessageShape, field: WireField) => void,
  deepest: Depth = { subgraph: 0, type: 0 },
): void {
  const root = { subgraph: 0, type: 0 };
  const stack: Frame[] = [{ shape: SHAPES.ModelProto, pos: 0, end: bytes.length, depth: root }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.pos >= frame.end) {
      stack.pop();
      continue;
    }
    const field = readField(bytes, frame.pos, frame.end);
    frame.pos = field.next;
    visit(frame.shape, field);
    const inner = field.wire === 2 ? frame.shape.nested?.[field.number] : undefined;
    if (inner === undefined) continue;
    const level = frame.shape.levels?.[field.number];
    let depth = frame.depth;
    if (level !== undefined) {
      depth = { ...depth, [level]: depth[level] + 1 };
      deepest[level] = Math.max(deepest[level], depth[level]);
      if (depth[level] > MEASURED_DEPTH) continue;
    }
    stack.push({ shape: SHAPES[inner], pos: field.payloadStart, end: field.next, depth });
  }
}
