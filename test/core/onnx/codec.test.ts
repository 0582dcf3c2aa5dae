import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onnx } from 'onnx-proto';
import { DataType, decodeModel, encodeModel, type Model } from '../../../core/onnx';
import { buildYoloV8, yolov8Spec } from '../../../core/yolo';

function tinyModelProto(): onnx.IModelProto {
  return {
    irVersion: 8,
    opsetImport: [{ version: 17 }, { domain: 'com.example', version: 3 }],
    producerName: 'hand',
    producerVersion: '1',
    docString: 'model doc',
    metadataProps: [{ key: 'names', value: "{0: 'a'}" }],
    graph: {
      name: 'g',
      docString: 'graph doc',
      input: [
        {
          name: 'x',
          type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: 4 }] } } },
        },
      ],
      output: [
        {
          name: 'y',
          type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: 4 }] } } },
        },
      ],
      valueInfo: [{ name: 'h', type: { tensorType: { elemType: 1 } }, docString: 'hidden' }],
      initializer: [
        { name: 'w', dims: [4], dataType: 1, floatData: [1, 2, 3, 4] },
        { name: 'half', dims: [2], dataType: DataType.FLOAT16, int32Data: [0x3c00, 0xc000] },
        { name: 'shape', dims: [2], dataType: DataType.INT64, int64Data: [-1, 4] },
      ],
      node: [
        { name: 'mul', opType: 'Mul', input: ['x', 'w'], output: ['h'], docString: 'node doc' },
        {
          name: 'custom',
          opType: 'Frobnicate',
          domain: 'com.example',
          input: ['h'],
          output: ['y'],
          attribute: [
            { name: 'alpha', type: onnx.AttributeProto.AttributeType.FLOAT, f: 0.5 },
            {
              name: 'mode',
              type: onnx.AttributeProto.AttributeType.STRING,
              s: new TextEncoder().encode('fast'),
            },
            {
              name: 'typ',
              type: onnx.AttributeProto.AttributeType.TYPE_PROTO,
              tp: { tensorType: { elemType: 7 } },
            },
            { name: 'sizes', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, -2, 3] },
          ],
        },
      ],
    },
  };
}

test('decode → encode keeps opsets, metadata, doc strings, value_info, unknown ops and attributes', () => {
  const bytes = onnx.ModelProto.encode(tinyModelProto()).finish();
  const model = decodeModel(bytes);
  assert.equal(model.graph.initializers.get('half')!.dataType, DataType.FLOAT16);
  assert.deepEqual(Array.from(model.graph.initializers.get('half')!.data as Float32Array), [1, -2]);
  assert.deepEqual(Array.from(model.graph.initializers.get('shape')!.data as BigInt64Array), [-1n, 4n]);
  assert.deepEqual(model.graph.nodes[1]!.attributes.sizes, { type: 'ints', value: [1, -2, 3] });
  assert.equal(model.graph.nodes[1]!.attributes.typ!.type, 'opaque');

  const again = onnx.ModelProto.decode(encodeModel(model));
  const original = onnx.ModelProto.decode(bytes);
  const plain = (m: onnx.ModelProto) => {
    const o = onnx.ModelProto.toObject(m, { longs: Number, bytes: String, defaults: false });
    // Payload encoding may change (float_data → raw_data); values are compared through the IR above.
    for (const t of o.graph.initializer)
      for (const k of ['floatData', 'int32Data', 'int64Data', 'rawData']) delete t[k];
    return o;
  };
  assert.deepEqual(plain(again), plain(original));
  const half = decodeModel(encodeModel(model)).graph.initializers.get('half')!;
  assert.deepEqual(Array.from(half.data as Float32Array), [1, -2]);
});

test('a built model round-trips to an equal IR, and encoding is deterministic', () => {
  const model = buildYoloV8(yolov8Spec('n', { imgsz: 64 }), { seed: 3 });
  const bytes = encodeModel(model);
  const back: Model = decodeModel(bytes);
  assert.equal(back.graph.nodes.length, model.graph.nodes.length);
  assert.deepEqual(back.graph.nodes, model.graph.nodes);
  assert.deepEqual([...back.graph.initializers.keys()], [...model.graph.initializers.keys()]);
  for (const [name, t] of model.graph.initializers)
    assert.deepEqual(back.graph.initializers.get(name)!.data, t.data, name);
  assert.deepEqual(back.metadataProps, model.metadataProps);
  assert.deepEqual(encodeModel(back), bytes);
});
