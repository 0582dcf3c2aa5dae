import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onnx } from 'onnx-proto';
import { decodeModel, encodeModel } from '../../../core/onnx';

/** A length-delimited field: tag, length, payload (field numbers and lengths < 128·128 here). */
function field(number: number, payload: Uint8Array): Uint8Array {
  const varint = (v: number) => (v < 128 ? [v] : [(v & 0x7f) | 0x80, v >> 7]);
  return Uint8Array.from([...varint(number * 8 + 2), ...varint(payload.length), ...payload]);
}

const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const utf8 = (s: string) => new TextEncoder().encode(s);

// Protobuf merges concatenated encodings, so a newer field can be spliced in by appending it.
function modelWithNewerFields(): Uint8Array {
  const nodeMetadata = field(9, concat(field(1, utf8('source')), field(2, utf8('conv.py:12'))));
  const node = concat(
    onnx.NodeProto.encode({ name: 'sig', opType: 'Sigmoid', input: ['x'], output: ['y'] }).finish(),
    nodeMetadata,
  );
  const graph = concat(
    onnx.GraphProto.encode({
      name: 'g',
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: 1 } } }],
    }).finish(),
    field(1, node),
  );
  const configuration = field(26, field(1, utf8('gpu-config')));
  return concat(
    onnx.ModelProto.encode({ irVersion: 10, opsetImport: [{ version: 21 }] }).finish(),
    field(7, graph),
    configuration,
  );
}

test('fields newer than the decoder schema: ModelProto ones survive a round trip, nested ones are reported', () => {
  const model = decodeModel(modelWithNewerFields());
  assert.equal(model.graph.nodes[0]!.opType, 'Sigmoid');
  assert.deepEqual(model.decodeWarnings, [
    'NodeProto.metadata_props (field 9) ×1 dropped: newer than the ONNX 1.10 schema',
  ]);
  const again = encodeModel(model);
  // The configuration field (26) is written back byte for byte.
  const configuration = field(26, field(1, utf8('gpu-config')));
  assert.deepEqual(again.subarray(again.length - configuration.length), configuration);
  const twice = decodeModel(again);
  assert.deepEqual(twice.passthrough?.unknownFields, [configuration]);
  assert.equal(twice.decodeWarnings, undefined);
});

test('a model using only known fields has no warnings and no passthrough bytes', () => {
  const bytes = onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ version: 17 }],
    graph: { name: 'g' },
  }).finish();
  const model = decodeModel(bytes);
  assert.equal(model.decodeWarnings, undefined);
  assert.equal(model.passthrough, undefined);
});
