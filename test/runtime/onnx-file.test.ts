import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { OnnxFormatError } from '../../core/onnx';
import { readModelFile, writeModelFile } from '../../runtime/onnx-file';

function externalModel(location: string): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ version: 17 }],
    graph: {
      name: 'g',
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: 1 } } }],
      initializer: [
        {
          name: 'w',
          dims: [2],
          dataType: 1,
          dataLocation: 1,
          externalData: [{ key: 'location', value: location }],
        },
      ],
      node: [{ name: 'add', opType: 'Add', input: ['x', 'w'], output: ['y'] }],
    },
  }).finish();
}

test('external data is read from the model folder; symlinks out of it and missing files are typed errors', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-ext-'));
  try {
    const folder = path.join(base, 'model');
    fs.mkdirSync(path.join(folder, 'data'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'data', 'w.bin'), new Uint8Array(new Float32Array([3, 4]).buffer));
    fs.writeFileSync(path.join(base, 'outside.bin'), new Uint8Array(new Float32Array([6, 6]).buffer));
    fs.symlinkSync(path.join(base, 'outside.bin'), path.join(folder, 'link.bin'));

    fs.writeFileSync(path.join(folder, 'ok.onnx'), externalModel('data/w.bin'));
    const model = readModelFile(path.join(folder, 'ok.onnx'));
    assert.deepEqual(Array.from(model.graph.initializers.get('w')!.data as Float32Array), [3, 4]);

    const code = (location: string) => {
      fs.writeFileSync(path.join(folder, 'bad.onnx'), externalModel(location));
      try {
        readModelFile(path.join(folder, 'bad.onnx'));
        return 'no error';
      } catch (err) {
        assert.ok(err instanceof OnnxFormatError);
        return err.code;
      }
    };
    assert.equal(code('link.bin'), 'ONNX_EXTERNAL_DATA_ESCAPES');
    assert.equal(code('../outside.bin'), 'ONNX_EXTERNAL_DATA_ESCAPES');
    assert.equal(code(path.join(base, 'outside.bin')), 'ONNX_EXTERNAL_DATA_ESCAPES');
    assert.equal(code('data/nope.bin'), 'ONNX_EXTERNAL_DATA_UNREADABLE');

    // Written back, the tensor is inline and the file stands alone.
    const copy = path.join(base, 'copy.onnx');
    writeModelFile(copy, model);
    assert.deepEqual(
      Array.from(readModelFile(copy).graph.initializers.get('w')!.data as Float32Array),
      [3, 4],
    );
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});
