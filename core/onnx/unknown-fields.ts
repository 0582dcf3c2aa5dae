// onnx-proto's generated decoder knows onnx.proto as of ONNX 1.10.2 and silently skips newer fields. This
// wire-level scan finds them, so nothing is lost without a word: unknown ModelProto fields are kept as raw
// bytes and written back (protobuf allows appending fields), and unknown fields inside graphs (subgraphs
// too), nodes, attributes, tensors, value infos, types and functions — which cannot be spliced back
// cheaply — are reported as decode warnings.

import { walkModelBytes, WireError } from './wire-walk';

// Names of fields added to onnx.proto after 1.10.2, for readable warnings.
const NEWER_FIELD_NAMES: Readonly<Record<string, string>> = {
  'ModelProto.26': 'configuration',
  'GraphProto.16': 'metadata_props',
  'NodeProto.8': 'overload',
  'NodeProto.9': 'metadata_props',
  'NodeProto.10': 'device_configurations',
  'TensorProto.16': 'metadata_props',
  'ValueInfoProto.4': 'metadata_props',
  'FunctionProto.11': 'attribute_proto',
  'FunctionProto.12': 'value_info',
  'FunctionProto.13': 'overload',
  'FunctionProto.14': 'metadata_props',
};

export interface UnknownFieldScan {
  /** Raw bytes (tag + payload) of ModelProto fields the decoder does not know; re-appended on encode. */
  readonly topLevel: readonly Uint8Array[];
  /** e.g. "NodeProto.metadata_props (field 9) ×12 dropped"; empty when nothing was lost. */
  readonly warnings: readonly string[];
}

/** Scans ModelProto bytes (already decoded successfully) for fields newer than the decoder's schema. */
export function scanUnknownFields(bytes: Uint8Array): UnknownFieldScan {
  const counts = new Map<string, number>();
  const topLevel: Uint8Array[] = [];
  try {
    walkModelBytes(bytes, (shape, field) => {
      if (shape.known.has(field.number)) return;
      if (shape.name === 'ModelProto') topLevel.push(bytes.slice(field.start, field.next));
      else {
        const key = `${shape.name}#${field.number}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    });
  } catch (err) {
    if (!(err instanceof WireError)) throw err;
    return { topLevel: [], warnings: [`could not scan for unknown fields: ${err.message}`] };
  }
  const warnings = [...counts].map(([key, n]) => {
    const [type, field] = key.split('#');
    const name = NEWER_FIELD_NAMES[`${type}.${field}`];
    return `${type}.${name ?? 'unknown'} (field ${field}) ×${n} dropped: newer than the ONNX 1.10 schema`;
  });
  return { topLevel, warnings };
}
