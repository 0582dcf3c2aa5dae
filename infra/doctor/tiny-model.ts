import { onnx } from 'onnx-proto';

/** A one-node ONNX model (y = x + x) used to prove onnxruntime loads and runs. */
export function tinyAddModel(): Uint8Array {
  const valueInfo = (name: string) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType: onnx.TensorProto.DataType.FLOAT,
          shape: { dim: [{ dimValue: 1 }, { dimValue: 4 }] },
        },
      },
    });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'stageprune-doctor',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'doctor',
      node: [{ opType: 'Add', input: ['x', 'x'], output: ['y'], name: 'add' }],
      input: [valueInfo('x')],
      output: [valueInfo('y')],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
