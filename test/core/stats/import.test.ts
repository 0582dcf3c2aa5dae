// Models as ultralytics exports them: deploy-form, dynamic batch and spatial dims, biases deduplicated by the
// torch exporter into Identity nodes, split sizes as anonymous Constant nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, decodeModel, encodeModel, type Model, type Node } from '../../../core/onnx';
import { exportDeployForm } from '../../../core/export';
import { computeStats } from '../../../core/stats';
import { buildYoloV8, yolov8Spec } from '../../../core/yolo';

function ultralyticsLike(model: Model): Model {
  const g = model.graph;
  const nodes: Node[] = [];
  const initializers = new Map(g.initializers);
  let k = 0;
  // Bias of model.2.cv1 becomes Identity(model.1.conv.bias)-like sharing (same shape needed: use its own copy).
  const shared = 'model.2.cv1.conv.bias';
  const src = initializers.get(shared)!;
  initializers.delete(shared);
  initializers.set('onnx::shared_bias', { ...src, name: 'onnx::shared_bias' });
  nodes.push({
    name: `Identity_${k++}`,
    opType: 'Identity',
    domain: '',
    inputs: ['onnx::shared_bias'],
    outputs: [shared],
    attributes: {},
  });
  for (const n of g.nodes) {
    if (n.opType === 'Split' && n.inputs[1]?.endsWith('/Split_sizes')) {
      const sizes = initializers.get(n.inputs[1])!;
      initializers.delete(n.inputs[1]);
      const out = `onnx::Split_${k}`;
      nodes.push({
        name: `Constant_${k++}`,
        opType: 'Constant',
        domain: '',
        inputs: [],
        outputs: [out],
        attributes: { value: { type: 'tensor', value: { ...sizes, name: '' } } },
      });
      nodes.push({ ...n, inputs: [n.inputs[0]!, out] });
    } else {
      nodes.push(n);
    }
  }
  const dyn = { kind: 'tensor' as const, elemType: DataType.FLOAT, shape: ['batch', 3, 'height', 'width'] };
  return {
    ...model,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'pytorch',
    metadataProps: [
      { key: 'imgsz', value: '[640, 640]' },
      { key: 'task', value: 'detect' },
    ],
    graph: {
      ...g,
      nodes,
      initializers,
      inputs: [{ name: 'images', type: dyn }],
      outputs: [
        {
          name: 'output0',
          type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['batch', 84, 'anchors'] },
        },
      ],
    },
  };
}

test('an ultralytics-style export (dynamic dims, Identity-shared biases, Constant splits) is recognised', () => {
  const deploy = exportDeployForm(buildYoloV8(yolov8Spec('n'))).model;
  const imported = decodeModel(encodeModel(ultralyticsLike(deploy)));
  const s = computeStats(imported);
  assert.equal(s.params, 3_151_904);
  assert.equal(s.flops, computeStats(deploy).flops);
  assert.deepEqual(s.inputShape, [1, 3, 640, 640]);
  assert.deepEqual(
    [s.stages.backbone.params, s.stages.neck.params, s.stages.head.params],
    [1_270_144, 984_960, 896_800],
  );
  assert.deepEqual(s.unattributed, { params: 0, flops: 0 });
  assert.equal(s.modules.length, 23);
  // Without imgsz metadata, --imgsz decides the spatial size.
  const at320 = computeStats({ ...imported, metadataProps: [] }, { imgsz: 320 });
  assert.deepEqual(at320.inputShape, [1, 3, 320, 320]);
  assert.equal(at320.params, 3_151_904);
  assert.ok(Math.abs(at320.flops * 4 - s.flops) / s.flops < 0.01);
});

test('unknown ops are listed by stats and do not stop it', () => {
  const model = buildYoloV8(yolov8Spec('n', { imgsz: 64 }));
  const nodes = model.graph.nodes.map((n) =>
    n.name === '/model.22/Sigmoid' ? { ...n, opType: 'FancySigmoid', domain: 'com.example' } : n,
  );
  const s = computeStats({ ...model, graph: { ...model.graph, nodes } });
  assert.deepEqual(s.unknownOps, ['FancySigmoid']);
  assert.equal(s.params, 3_157_200);
});
