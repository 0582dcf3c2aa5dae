// doctor's one `cuda` line for each state of the CUDA provider, and the real check on this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkCuda, cudaCheckResult, providerChecksumMismatches } from '../../infra/doctor/cuda-check';
import { cudaProviderState } from '../../runtime/cuda';

const gpus = [{ name: 'NVIDIA H200', memoryMiB: 143771 }];

test('available: device name and memory', () => {
  const r = cudaCheckResult(
    { kind: 'ready', libraries: { 'libcudart.so.13': '/x' }, driver: '/y', devices: ['/dev/nvidia0'] },
    { gpus, mismatched: [], session: null },
  );
  assert.deepEqual(r, {
    ok: true,
    detail: 'available: NVIDIA H200, 143771 MiB; onnxruntime-node ran a tiny model on cuda',
  });
});

test('library missing: which one, failing where a GPU is visible', () => {
  const r = cudaCheckResult(
    { kind: 'library-missing', missing: ['libcurand.so.10'], deviceVisible: true },
    { gpus, mismatched: [] },
  );
  assert.equal(r.ok, false);
  assert.match(r.detail, /^library missing: CUDA library missing: libcurand\.so\.10 \(from nvidia-curand/);
  const provider = cudaCheckResult(
    { kind: 'provider-missing', missing: ['libonnxruntime_providers_cuda.so'], deviceVisible: true },
    { gpus, mismatched: [] },
  );
  assert.equal(provider.warning, true);
  assert.match(
    provider.detail,
    /^library missing: a GPU is visible \(NVIDIA H200.*libonnxruntime_providers_cuda\.so.*setup\.sh --gpu/,
  );
  const corrupt = cudaCheckResult(
    { kind: 'no-device', missing: ['libcuda.so.1'] },
    { gpus: [], mismatched: ['libonnxruntime_providers_cuda.so'] },
  );
  assert.equal(corrupt.ok, false);
  assert.match(corrupt.detail, /libonnxruntime_providers_cuda\.so do not match their pinned sha256/);
});

test('no device: passes, saying why, on a CPU-only machine with or without the provider', () => {
  const installed = cudaCheckResult(
    { kind: 'no-device', missing: ['libcuda.so.1', '/dev/nvidia*'] },
    { gpus: [], mismatched: [] },
  );
  assert.equal(installed.ok, true);
  assert.match(installed.detail, /^no device \(the NVIDIA driver library libcuda\.so\.1 is not installed/);
  const bare = cudaCheckResult(
    { kind: 'provider-missing', missing: ['libonnxruntime_providers_cuda.so'], deviceVisible: false },
    { gpus: [], mismatched: [] },
  );
  assert.deepEqual(bare, {
    ok: true,
    detail: 'no device (no GPU visible; CUDA provider not installed): evaluation and training run on the cpu',
  });
});

test('a provider library that differs from its pinned sha256 is named', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-doctor-cuda-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'libonnxruntime_providers_shared.so'), 'a');
  fs.writeFileSync(path.join(dir, 'libonnxruntime_providers_cuda.so'), 'b');
  const shaA = 'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb';
  const env = `ORT_PROVIDER_SHARED_SHA256=${shaA}\nORT_PROVIDER_CUDA_SHA256=${'0'.repeat(64)}\n`;
  assert.deepEqual(providerChecksumMismatches(dir, env), ['libonnxruntime_providers_cuda.so']);
});

test('the check on this machine gives one line that matches its state', async () => {
  const r = await checkCuda();
  assert.ok(!r.detail.includes('\n'));
  const kind = cudaProviderState().kind;
  if (kind === 'ready') assert.match(r.detail, /^(available|library missing)/);
  else assert.match(r.detail, /^(no device|library missing)/);
});
