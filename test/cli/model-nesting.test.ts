import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inProcess } from '../support/cli-in-process';
import { nestedIfModel } from '../support/nested-onnx';

test('model stats on If bodies nested 2,000 deep prints one ONNX_NESTING_TOO_DEEP line, exit 1', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-nesting-'));
  try {
    const file = path.join(dir, 'deep.onnx');
    fs.writeFileSync(file, nestedIfModel(2000));
    const r = await inProcess('model', 'stats', file);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      'stageprune model: ONNX_NESTING_TOO_DEEP: If/Loop subgraphs nest 2000 levels deep; the limit is 64',
    );

    fs.writeFileSync(file, nestedIfModel(64));
    const ok = await inProcess('model', 'stats', file);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /unknown op \(kept, not costed\): If/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
