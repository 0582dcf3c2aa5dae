import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onnx } from 'onnx-proto';
import {
  decodeModel,
  encodeModel,
  OnnxFormatError,
  type Graph,
  type OnnxErrorCode,
} from '../../../core/onnx';
import { buildYoloV8, yolov8Spec } from '../../../core/yolo';
import { nestedIfModel, nestedSequenceModel } from '../../support/nested-onnx';

function modelBytes(patch: (m: onnx.IModelProto) => void): Uint8Array {
  const m: onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ version: 17 }],
    graph: {
      name: 'g',
      input: [
        {
          name: 'x',
          type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 2 }] } } },
        },
      ],
      output: [{ name: 'y', type: { tensorType: { elemType: 1 } } }],
      initializer: [{ name: 'w', dims: [2], dataType: 1, rawData: new Uint8Array(8) }],
      node: [{ name: 'add', opType: 'Add', input: ['x', 'w'], output: ['y'] }],
    },
  };
  patch(m);
  return onnx.ModelProto.encode(m).finish();
}

function assertCode(fn: () => unknown, code: OnnxErrorCode, mentions?: RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof OnnxFormatError, `expected OnnxFormatError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.isInputError, true);
    if (mentions) assert.match(err.message, mentions);
    return true;
  });
}

test('the well-formed base model decodes (so the failures below are the patches)', () => {
  assert.equal(decodeModel(modelBytes(() => {})).graph.nodes.length, 1);
});

test('truncated files are ONNX_TRUNCATED at every cut point tried', () => {
  const bytes = encodeModel(buildYoloV8(yolov8Spec('n', { imgsz: 64 })));
  for (const fraction of [0.001, 0.1, 0.5, 0.9, 0.9999]) {
    assertCode(() => decodeModel(bytes.subarray(0, Math.floor(bytes.length * fraction))), 'ONNX_TRUNCATED');
  }
  assertCode(() => decodeModel(new Uint8Array(0)), 'ONNX_TRUNCATED');
});

test('files that are not ONNX are ONNX_NOT_ONNX or ONNX_TRUNCATED, never a crash', () => {
  assertCode(
    () => decodeModel(new TextEncoder().encode('{"hello": "this is json, not a model"}\n')),
    'ONNX_NOT_ONNX',
  );
  assertCode(
    () => decodeModel(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1])),
    'ONNX_NOT_ONNX',
  );
  // A valid protobuf of something else (no graph).
  assertCode(() => decodeModel(onnx.TensorProto.encode({ name: 't', dims: [1] }).finish()), 'ONNX_NOT_ONNX');
  let seed = 7;
  for (let k = 0; k < 50; k++) {
    const junk = Uint8Array.from(
      { length: 200 },
      () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff,
    );
    assert.throws(() => decodeModel(junk), OnnxFormatError);
  }
});

test('opsets outside the supported range are ONNX_OPSET_UNSUPPORTED', () => {
  assertCode(
    () => decodeModel(modelBytes((m) => (m.opsetImport = [{ version: 9 }]))),
    'ONNX_OPSET_UNSUPPORTED',
    /opset 9/,
  );
  assertCode(
    () => decodeModel(modelBytes((m) => (m.opsetImport = [{ version: 40 }]))),
    'ONNX_OPSET_UNSUPPORTED',
    /opset 40/,
  );
  assertCode(
    () => decodeModel(modelBytes((m) => (m.opsetImport = [{ domain: 'ai.onnx.ml', version: 3 }]))),
    'ONNX_OPSET_UNSUPPORTED',
  );
  assert.equal(
    decodeModel(
      modelBytes((m) => (m.opsetImport = [{ version: 9 }])),
      { anyOpset: true },
    ).opsetImports[0]!.version,
    9,
  );
});

test('absurd shapes are ONNX_SHAPE_ABSURD', () => {
  assertCode(
    () => decodeModel(modelBytes((m) => (m.graph!.initializer![0]!.dims = [2 ** 31, 1]))),
    'ONNX_SHAPE_ABSURD',
    /initializer 'w'.*2147483648/,
  );
  assertCode(
    () => decodeModel(modelBytes((m) => (m.graph!.initializer![0]!.dims = [-2]))),
    'ONNX_SHAPE_ABSURD',
  );
  assertCode(
    () => decodeModel(modelBytes((m) => (m.graph!.initializer![0]!.dims = [2 ** 20, 2 ** 20, 2 ** 20]))),
    'ONNX_SHAPE_ABSURD',
  );
  assertCode(
    () =>
      decodeModel(
        modelBytes((m) => (m.graph!.input![0]!.type!.tensorType!.shape!.dim![1] = { dimValue: 2 ** 40 })),
      ),
    'ONNX_SHAPE_ABSURD',
    /value 'x'/,
  );
});

test('initializer payloads that disagree with their shape are ONNX_INITIALIZER_SIZE_MISMATCH', () => {
  assertCode(
    () => decodeModel(modelBytes((m) => (m.graph!.initializer![0]!.rawData = new Uint8Array(12)))),
    'ONNX_INITIALIZER_SIZE_MISMATCH',
    /'w'.*needs 8 bytes, has 12/,
  );
  assertCode(
    () =>
      decodeModel(
        modelBytes((m) => {
          const t = m.graph!.initializer![0]!;
          t.rawData = null;
          t.floatData = [1, 2, 3];
        }),
      ),
    'ONNX_INITIALIZER_SIZE_MISMATCH',
  );
});

test('external data that escapes the model folder is refused before any read', () => {
  let reads = 0;
  const reader = () => {
    reads++;
    return new Uint8Array(8);
  };
  for (const location of ['../secret.bin', '/etc/passwd', 'sub/../../x', 'C:\\windows\\x', '..\\x', '']) {
    const bytes = modelBytes((m) => {
      const t = m.graph!.initializer![0]!;
      t.rawData = null;
      t.dataLocation = 1;
      t.externalData = [{ key: 'location', value: location }];
    });
    assertCode(() => decodeModel(bytes, { readExternal: reader }), 'ONNX_EXTERNAL_DATA_ESCAPES');
  }
  assert.equal(reads, 0);
});

test('external data inside the folder is read with offset and length', () => {
  const blob = new Uint8Array(new Float32Array([9, 9, 1.5, -2]).buffer);
  const bytes = modelBytes((m) => {
    const t = m.graph!.initializer![0]!;
    t.rawData = null;
    t.dataLocation = 1;
    t.externalData = [
      { key: 'location', value: './weights/w.bin' },
      { key: 'offset', value: '8' },
      { key: 'length', value: '8' },
    ];
  });
  const seen: string[] = [];
  const model = decodeModel(bytes, {
    readExternal: (location, offset, length) => {
      seen.push(location);
      return blob.subarray(offset, offset + length!);
    },
  });
  assert.deepEqual(seen, ['weights/w.bin']);
  assert.deepEqual(Array.from(model.graph.initializers.get('w')!.data as Float32Array), [1.5, -2]);
  assertCode(() => decodeModel(bytes), 'ONNX_EXTERNAL_DATA_UNREADABLE');
});

/** How many If bodies nest inside `graph` (following the first graph attribute, without recursion). */
function subgraphDepth(graph: Graph): number {
  let depth = 0;
  let g = graph;
  for (;;) {
    const inner = g.nodes.flatMap((n) => Object.values(n.attributes)).find((x) => x.type === 'graph');
    if (inner?.type !== 'graph') return depth;
    g = inner.value;
    depth++;
  }
}

test('If bodies nested 2,000 deep are ONNX_NESTING_TOO_DEEP, not a stack overflow', () => {
  assertCode(
    () => decodeModel(nestedIfModel(2000)),
    'ONNX_NESTING_TOO_DEEP',
    /subgraphs nest 2000 levels deep; the limit is 64/,
  );
  assertCode(() => decodeModel(nestedIfModel(20_000)), 'ONNX_NESTING_TOO_DEEP', /more than 10000/);
});

test('64 nested subgraphs decode and round-trip; 65 are refused', () => {
  const model = decodeModel(nestedIfModel(64));
  assert.equal(subgraphDepth(model.graph), 64);
  assert.equal(subgraphDepth(decodeModel(encodeModel(model)).graph), 64);
  assertCode(() => decodeModel(nestedIfModel(65)), 'ONNX_NESTING_TOO_DEEP', /65 levels deep/);
});

test('nesting the byte-level pre-scan misreads is still refused, on the decoded protobuf', () => {
  // With varint-tagged then_branch fields the pre-scan sees no subgraphs; onnx-proto decodes all 300.
  assert.equal(onnx.ModelProto.decode(nestedIfModel(300, { varintTags: true })).graph!.node!.length, 1);
  assertCode(
    () => decodeModel(nestedIfModel(300, { varintTags: true })),
    'ONNX_NESTING_TOO_DEEP',
    /subgraphs nest 300 levels deep; the limit is 64/,
  );
  assert.equal(subgraphDepth(decodeModel(nestedIfModel(64, { varintTags: true })).graph), 64);
});

test('sequence types nested past the limit are ONNX_NESTING_TOO_DEEP', () => {
  assert.equal(decodeModel(nestedSequenceModel(64)).graph.inputs[0]!.type?.kind, 'opaque');
  assertCode(
    () => decodeModel(nestedSequenceModel(65)),
    'ONNX_NESTING_TOO_DEEP',
    /sequence\/map\/optional types nest 65 levels deep/,
  );
});

test('a stack overflow inside the protobuf decoder is ONNX_NESTING_TOO_DEEP', () => {
  // Unknown fields of nested groups (wire types 3/4): the pre-scan leaves them to protobufjs, which
  // skips them recursively.
  const n = 200_000;
  const head = modelBytes(() => {});
  const bytes = new Uint8Array(head.length + 4 * n);
  bytes.set(head);
  for (let i = 0; i < n; i++) bytes.set([0xf3, 0x01], head.length + 2 * i); // field 30, start group
  for (let i = 0; i < n; i++) bytes.set([0xf4, 0x01], head.length + 2 * (n + i)); // field 30, end group
  assertCode(() => decodeModel(bytes), 'ONNX_NESTING_TOO_DEEP', /call stack/);
});

test('a RangeError in our own conversion after the protobuf decode is an OnnxFormatError', (t) => {
  const real = onnx.ModelProto.decode;
  t.after(() => (onnx.ModelProto.decode = real));
  const recurse = (n: number): number => recurse(n + 1) + 1;
  // A decoded proto whose graph getter fails the way a bug in our converters would.
  const withGraph =
    (graph: () => onnx.GraphProto) =>
    (...args: Parameters<typeof real>) =>
      Object.defineProperty(real(...args), 'graph', { get: graph });
  onnx.ModelProto.decode = withGraph(() => onnx.GraphProto.create({ name: String(recurse(0)) }));
  assertCode(() => decodeModel(modelBytes(() => {})), 'ONNX_NESTING_TOO_DEEP', /call stack/);
  onnx.ModelProto.decode = withGraph(() => onnx.GraphProto.create({ name: 'x'.repeat(-1) }));
  assertCode(() => decodeModel(modelBytes(() => {})), 'ONNX_GRAPH_INVALID', /Invalid count value/);
});
