import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, OnnxFormatError, type Graph, type Node } from '../../../core/onnx';
import {
  indexGraph,
  inferShapes,
  isTopologicallySorted,
  topologicalOrder,
  pruneUnused,
  renameInputs,
} from '../../../core/graph';
import { buildYoloV8, yolov8Spec } from '../../../core/yolo';

const node = (
  name: string,
  opType: string,
  inputs: string[],
  outputs: string[],
  attributes: Node['attributes'] = {},
): Node => ({
  name,
  opType,
  domain: '',
  inputs,
  outputs,
  attributes,
});

const tensorInput = (name: string, shape: (number | string)[]) => ({
  name,
  type: { kind: 'tensor' as const, elemType: DataType.FLOAT, shape },
});

function graphOf(nodes: Node[], extra: Partial<Graph> = {}): Graph {
  return {
    name: 'g',
    nodes,
    inputs: [tensorInput('x', [1, 8, 4, 4])],
    outputs: [],
    valueInfo: [],
    initializers: new Map(),
    ...extra,
  };
}

test('producer and consumer lookups', () => {
  const model = buildYoloV8(yolov8Spec('n', { imgsz: 64 }));
  const index = indexGraph(model.graph);
  assert.equal(index.producerOf('/model.2/cv1/act/Mul_output_0')!.name, '/model.2/cv1/act/Mul');
  assert.deepEqual(
    index.consumersOf('/model.2/Split_output_1').map((n) => n.name),
    ['/model.2/m.0/cv1/conv/Conv', '/model.2/m.0/Add', '/model.2/Concat'],
  );
  assert.deepEqual(
    index.consumersOf('images').map((n) => n.name),
    ['/model.0/conv/Conv'],
  );
  assert.equal(index.producerOf('model.0.conv.weight'), undefined);
  assert.ok(index.isInitializer('model.0.conv.weight'));
  assert.ok(index.isGraphOutput('output0'));
  assert.equal(index.nodeByName('/model.22/dfl/conv/Conv')!.opType, 'Conv');
});

test('topological order restores a shuffled graph and rejects cycles and dangling reads', () => {
  const model = buildYoloV8(yolov8Spec('n', { imgsz: 64 }));
  const shuffled = { ...model.graph, nodes: [...model.graph.nodes].reverse() };
  assert.equal(isTopologicallySorted(shuffled), false);
  const order = topologicalOrder(shuffled);
  assert.ok(isTopologicallySorted({ ...model.graph, nodes: order }));
  assert.deepEqual(topologicalOrder(model.graph), model.graph.nodes);

  const cyclic = graphOf([
    node('a', 'Sigmoid', ['b_out'], ['a_out']),
    node('b', 'Sigmoid', ['a_out'], ['b_out']),
  ]);
  assert.throws(
    () => topologicalOrder(cyclic),
    (e: unknown) => e instanceof OnnxFormatError && /cycle/.test(e.message),
  );
  assert.throws(() => topologicalOrder(graphOf([node('a', 'Sigmoid', ['nowhere'], ['y'])])), /nowhere/);
});

test('shape inference knows every tensor of a built model, including the traced shape arithmetic', () => {
  for (const nc of [80, 3]) {
    const model = buildYoloV8(yolov8Spec('n', { nc, imgsz: 640 }));
    const r = inferShapes(model.graph, { opset: 18 });
    assert.deepEqual(r.unknownOps, []);
    assert.deepEqual(r.unresolved, []);
    for (const n of model.graph.nodes)
      for (const o of n.outputs) assert.ok(r.shapes.get(o)?.dims, `shape of ${o}`);
    assert.deepEqual(r.shapes.get('output0')!.dims, [1, 4 + nc, 8400]);
    assert.deepEqual(r.shapes.get('/model.22/Slice_1_output_0')!.dims, [1, 2, 8400]);
    assert.deepEqual(r.constants.get('/model.22/Mul_1_output_0')!.values, [4]);
    assert.deepEqual(r.shapes.get('/model.9/Concat_output_0')!.dims, [1, 512, 20, 20]);
    assert.deepEqual(r.shapes.get('/model.10/Resize_output_0')!.dims, [1, 256, 40, 40]);
    assert.deepEqual(r.shapes.get('/model.2/Split_output_0')!.dims, [1, 16, 160, 160]);
  }
});

test('Split, Unsqueeze and Slice resolve in both their attribute and input forms', () => {
  const i64 = (name: string, values: number[]) => ({
    name,
    dataType: DataType.INT64,
    dims: [values.length],
    data: BigInt64Array.from(values.map(BigInt)),
  });
  const g = graphOf(
    [
      node('split_attr', 'Split', ['x'], ['s0', 's1'], {
        axis: { type: 'int', value: 1 },
        split: { type: 'ints', value: [3, 5] },
      }),
      node('split_input', 'Split', ['x', 'sizes'], ['t0', 't1'], { axis: { type: 'int', value: 1 } }),
      node('split_even', 'Split', ['x'], ['u0', 'u1'], { axis: { type: 'int', value: -3 } }),
      node('unsq_attr', 'Unsqueeze', ['x'], ['v'], { axes: { type: 'ints', value: [0] } }),
      node('unsq_input', 'Unsqueeze', ['x', 'axes'], ['w']),
      node('slice', 'Slice', ['x', 'starts', 'ends', 'axes1'], ['z']),
    ],
    {
      initializers: new Map([
        ['sizes', i64('sizes', [6, 2])],
        ['axes', i64('axes', [-1])],
        ['starts', i64('starts', [1])],
        ['ends', i64('ends', [2 ** 40])],
        ['axes1', i64('axes1', [1])],
      ]),
    },
  );
  const r = inferShapes(g, { opset: 13 });
  const dims = (t: string) => r.shapes.get(t)!.dims;
  assert.deepEqual(
    [dims('s0'), dims('s1')],
    [
      [1, 3, 4, 4],
      [1, 5, 4, 4],
    ],
  );
  assert.deepEqual(
    [dims('t0'), dims('t1')],
    [
      [1, 6, 4, 4],
      [1, 2, 4, 4],
    ],
  );
  assert.deepEqual(
    [dims('u0'), dims('u1')],
    [
      [1, 4, 4, 4],
      [1, 4, 4, 4],
    ],
  );
  assert.deepEqual(dims('v'), [1, 1, 8, 4, 4]);
  assert.deepEqual(dims('w'), [1, 8, 4, 4, 1]);
  assert.deepEqual(dims('z'), [1, 7, 4, 4]);
});

test('Range, Expand and ConstantOfShape (the anchor grid of dynamic exports) resolve and fold', () => {
  const scalar = (name: string, v: number) => ({
    name,
    dataType: DataType.INT64,
    dims: [],
    data: BigInt64Array.from([BigInt(v)]),
  });
  const g = graphOf(
    [
      node('shape', 'Shape', ['x'], ['s']),
      node('w', 'Gather', ['s', 'three'], ['width']),
      node('range', 'Range', ['zero', 'width', 'one'], ['r']),
      node('dims', 'Concat', ['two', 's'], ['target'], { axis: { type: 'int', value: 0 } }),
      node('expand', 'Expand', ['x', 'target'], ['e']),
      node('fill', 'ConstantOfShape', ['s'], ['c'], {
        value: {
          type: 'tensor',
          value: { name: '', dataType: DataType.FLOAT, dims: [1], data: Float32Array.from([0.5]) },
        },
      }),
    ],
    {
      initializers: new Map([
        ['zero', scalar('zero', 0)],
        ['one', scalar('one', 1)],
        ['three', scalar('three', 3)],
        ['two', { name: 'two', dataType: DataType.INT64, dims: [1], data: BigInt64Array.from([2n]) }],
      ]),
    },
  );
  const r = inferShapes(g, { opset: 17 });
  assert.deepEqual(r.unknownOps, []);
  assert.deepEqual(r.constants.get('r'), { dims: [4], values: [0, 1, 2, 3] });
  assert.deepEqual(r.shapes.get('e')!.dims, [2, 1, 8, 4, 4]);
  assert.deepEqual(r.shapes.get('c')!.dims, [1, 8, 4, 4]);
});

test('unknown ops are kept, flagged, and take declared value_info shapes; later nodes still resolve', () => {
  const g = graphOf(
    [
      node('weird', 'HardSwishPlus', ['x'], ['h']),
      node('sig', 'Sigmoid', ['h'], ['y']),
      node('shape', 'Shape', ['y'], ['s']),
    ],
    { valueInfo: [tensorInput('h', [1, 8, 4, 4])] },
  );
  const r = inferShapes(g);
  assert.deepEqual(
    r.unknownOps.map((n) => n.name),
    ['weird'],
  );
  assert.deepEqual(r.shapes.get('y')!.dims, [1, 8, 4, 4]);
  assert.deepEqual(r.constants.get('s')!.values, [1, 8, 4, 4]);
  const noDecl = inferShapes(
    graphOf([node('weird', 'HardSwishPlus', ['x'], ['h']), node('sig', 'Sigmoid', ['h'], ['y'])]),
  );
  assert.equal(noDecl.shapes.get('y')!.dims, undefined);
});

test('symbolic batch stays symbolic; pinning it makes the graph static', () => {
  const model = buildYoloV8(yolov8Spec('n', { imgsz: 64 }));
  const dynamic = { ...model.graph, inputs: [tensorInput('images', ['batch', 3, 64, 64])] };
  assert.equal(inferShapes(dynamic).shapes.get('/model.0/conv/Conv_output_0')!.dims![0], 'batch');
  const pinned = inferShapes(dynamic, { inputShapes: { images: [2, 3, 64, 64] } });
  assert.deepEqual(pinned.shapes.get('/model.21/cv2/act/Mul_output_0')!.dims, [2, 256, 2, 2]);
  // Like ultralytics' static export, the head's Reshape targets bake in batch 1 ([1, 64, -1]).
  assert.deepEqual(pinned.shapes.get('/model.22/Reshape_output_0')!.dims, [1, 64, 128]);
});

test('transforms return new graphs and leave the original untouched', () => {
  const model = buildYoloV8(yolov8Spec('n', { imgsz: 64 }));
  const before = model.graph.nodes.length;
  const renamed = renameInputs(model.graph, new Map([['/model.0/act/Mul_output_0', 'images']]));
  assert.equal(indexGraph(renamed).consumersOf('images').length, 2);
  assert.equal(indexGraph(model.graph).consumersOf('images').length, 1);
  const pruned = pruneUnused({ ...model.graph, nodes: model.graph.nodes.slice(0, 4) });
  assert.deepEqual([...pruned.initializers.keys()].slice(0, 2), ['model.0.conv.weight', 'model.0.bn.weight']);
  assert.equal(pruned.initializers.size, 5);
  assert.equal(model.graph.nodes.length, before);
});
