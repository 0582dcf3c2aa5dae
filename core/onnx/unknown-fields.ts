// onnx-proto's generated decoder knows onnx.proto as of ONNX 1.10.2 and silently skips newer fields. This
// wire-level scan finds them, so nothing is lost without a word: unknown ModelProto fields are kept as raw
// bytes and written back (protobuf allows appending fields), and unknown fields inside graphs, nodes,
// tensors and value infos — which cannot be spliced back cheaply — are reported as decode warnings.

interface MessageShape {
  readonly name: string;
  readonly known: ReadonlySet<number>;
  /** Field number → the message type inside it, for fields we descend into. */
  readonly nested?: Readonly<Record<number, MessageShape>>;
}

// Names of fields added to onnx.proto after 1.10.2, for readable warnings.
const NEWER_FIELD_NAMES: Readonly<Record<string, string>> = {
  'ModelProto.26': 'configuration',
  'GraphProto.16': 'metadata_props',
  'NodeProto.8': 'overload',
  'NodeProto.9': 'metadata_props',
  'NodeProto.10': 'device_configurations',
  'TensorProto.16': 'metadata_props',
  'ValueInfoProto.4': 'metadata_props',
};

const TENSOR: MessageShape = {
  name: 'TensorProto',
  known: new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
};
const VALUE_INFO: MessageShape = { name: 'ValueInfoProto', known: new Set([1, 2, 3]) };
const NODE: MessageShape = { name: 'NodeProto', known: new Set([1, 2, 3, 4, 5, 6, 7]) };
const GRAPH: MessageShape = {
  name: 'GraphProto',
  known: new Set([1, 2, 5, 10, 11, 12, 13, 14, 15]),
  nested: { 1: NODE, 5: TENSOR, 11: VALUE_INFO, 12: VALUE_INFO, 13: VALUE_INFO },
};
const MODEL: MessageShape = {
  name: 'ModelProto',
  known: new Set([1, 2, 3, 4, 5, 6, 7, 8, 14, 20, 25]),
  nested: { 7: GRAPH },
};

export interface UnknownFieldScan {
  /** Raw bytes (tag + payload) of ModelProto fields the decoder does not know; re-appended on encode. */
  readonly topLevel: readonly Uint8Array[];
  /** e.g. "NodeProto.metadata_props (field 9) ×12 dropped"; empty when nothing was lost. */
  readonly warnings: readonly string[];
}

class WireError extends Error {}

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

function scanMessage(
  bytes: Uint8Array,
  start: number,
  end: number,
  shape: MessageShape,
  counts: Map<string, number>,
  topLevel: Uint8Array[] | undefined,
): void {
  let pos = start;
  while (pos < end) {
    const fieldStart = pos;
    const [tag, afterTag] = readVarint(bytes, pos);
    const field = Math.floor(tag / 8);
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
    if (!shape.known.has(field)) {
      if (topLevel) topLevel.push(bytes.slice(fieldStart, next));
      else counts.set(`${shape.name}.${field}`, (counts.get(`${shape.name}.${field}`) ?? 0) + 1);
    } else if (wire === 2 && shape.nested?.[field]) {
      scanMessage(bytes, payloadStart, next, shape.nested[field], counts, undefined);
    }
    pos = next;
  }
}

/** Scans ModelProto bytes (already decoded successfully) for fields newer than the decoder's schema. */
export function scanUnknownFields(bytes: Uint8Array): UnknownFieldScan {
  const counts = new Map<string, number>();
  const topLevel: Uint8Array[] = [];
  try {
    scanMessage(bytes, 0, bytes.length, MODEL, counts, topLevel);
  } catch (err) {
    if (!(err instanceof WireError)) throw err;
    return { topLevel: [], warnings: [`could not scan for unknown fields: ${err.message}`] };
  }
  const warnings = [...counts].map(([key, n]) => {
    const [type, field] = key.split('.');
    const name = NEWER_FIELD_NAMES[key];
    return `${type}.${name ?? 'unknown'} (field ${field}) ×${n} dropped: newer than the ONNX 1.10 schema`;
  });
  return { topLevel, warnings };
}
