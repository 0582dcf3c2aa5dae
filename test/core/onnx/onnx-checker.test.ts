// Reference check with the Python `onnx` package (project venv): our train-form, deploy-form and fp16 files
// pass onnx.checker with full_check (strict shape inference). Skipped when the venv is not set up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeModel } from '../../../core/onnx';
import { exportDeployForm } from '../../../core/export';
import { buildYoloV8, yolov8Spec } from '../../../core/yolo';
import { venvPython } from '../../../runtime/paths';

const python = venvPython();

test(
  'onnx.checker (full_check) accepts train-form, deploy-form and fp16 files',
  { skip: !fs.existsSync(python) && 'no project venv' },
  () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-checker-'));
    try {
      const train = buildYoloV8(yolov8Spec('n', { nc: 3, imgsz: 64 }));
      const files = {
        train: train,
        deploy: exportDeployForm(train).model,
        fp16: exportDeployForm(train, { fp16: true }).model,
      };
      for (const [name, model] of Object.entries(files))
        fs.writeFileSync(path.join(dir, `${name}.onnx`), encodeModel(model));
      const script = [
        'import onnx, sys',
        'for f in sys.argv[1:]:',
        '    onnx.checker.check_model(onnx.load(f), full_check=True)',
        '    print("ok", f)',
      ].join('\n');
      const r = spawnSync(
        python,
        ['-c', script, ...Object.keys(files).map((n) => path.join(dir, `${n}.onnx`))],
        { encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim().split('\n').length, 3);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);
