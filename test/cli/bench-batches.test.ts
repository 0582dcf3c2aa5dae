// `stageprune bench --batches 1,8,32`: one session, one latency figure per batch size (the GPU check's
// batch 1/8/32), and the CUDA provider's typed error when asked for cuda where it cannot run.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../cli/main';
import { cudaProviderState } from '../../runtime/cuda';
import { makeDetector } from '../support/detector-models';

async function cli(t: TestContext, args: string[]) {
  const err: string[] = [];
  const out: string[] = [];
  t.mock.method(console, 'error', (...a: unknown[]) => void err.push(a.join(' ')));
  t.mock.method(console, 'log', (...a: unknown[]) => void out.push(a.join(' ')));
  const code = await main(args);
  t.mock.restoreAll();
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

test('bench --batches measures each batch size; --json lists them with the FLOPs', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-bench-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const model = makeDetector(path.join(dir, 'm.onnx'), { imgsz: 64, nc: 2 });
  const r = await cli(t, [
    'bench',
    model,
    '--batches',
    '1,3',
    '--runs',
    '2',
    '--warmup',
    '0',
    '--threads',
    '1',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as {
    batches: { batch: number; latency_ms: { median: number }; throughput_ips: number }[];
  };
  assert.deepEqual(Object.keys(j), ['batches', 'flops', 'params']);
  assert.deepEqual(
    j.batches.map((b) => b.batch),
    [1, 3],
  );
  for (const b of j.batches) assert.ok(b.latency_ms.median > 0 && b.throughput_ips > 0);
  const human = await cli(t, ['bench', model, '--batches', '1,2', '--runs', '1', '--warmup', '0']);
  assert.equal(human.code, 0, human.stderr);
  assert.equal([...human.stdout.matchAll(/^latency median/gm)].length, 2);

  const bad = await cli(t, ['bench', model, '--batches', '1,,8']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /batches must be positive integers separated by commas/);
  const both = await cli(t, ['bench', model, '--batch', '2', '--batches', '1,8']);
  assert.match(both.stderr, /use only one of --batch and --batches/);

  const state = cudaProviderState();
  if (state.kind !== 'ready') {
    const cuda = await cli(t, ['bench', model, '--ep', 'cuda', '--batches', '1,8,32']);
    assert.equal(cuda.code, 1);
    assert.match(cuda.stderr, /EP_UNAVAILABLE/);
    assert.ok(cuda.stderr.includes(state.missing[0]!), cuda.stderr);
  }
});
