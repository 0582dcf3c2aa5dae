// The CUDA execution provider's preflight (runtime/cuda/): on layouts built in a temporary folder, each
// missing piece (provider, a CUDA library, the driver, a device) is the typed EP_UNAVAILABLE naming it; on
// this machine, asking for CUDA is that same error, never a CPU session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CUDA_LIBRARIES,
  DRIVER_LIBRARY,
  PROVIDER_LIBRARY,
  cudaProviderState,
  defaultCudaLayout,
  ortBindingDir,
  parseNvidiaSmi,
  preloadCudaLibraries,
  requireCudaProvider,
  venvNvidiaLibDirs,
  type CudaLayout,
} from '../../runtime/cuda';
import { openDetector } from '../../runtime/inference';
import { CudaUnavailableError } from '../../runtime/inference-error';
import { makeDetector } from '../support/detector-models';

function fakeLayout(
  t: { after: (fn: () => void) => void },
  have: { provider: boolean; libs: readonly string[]; driver: boolean; device: boolean },
): CudaLayout {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-cuda-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bindingDir = path.join(dir, 'binding');
  const libDir = path.join(dir, 'nvidia', 'lib');
  fs.mkdirSync(bindingDir, { recursive: true });
  fs.mkdirSync(libDir, { recursive: true });
  if (have.provider) {
    for (const f of ['libonnxruntime_providers_shared.so', PROVIDER_LIBRARY])
      fs.writeFileSync(path.join(bindingDir, f), 'not an ELF file');
  }
  for (const lib of have.libs) fs.writeFileSync(path.join(libDir, lib), 'not an ELF file');
  if (have.driver) fs.writeFileSync(path.join(libDir, DRIVER_LIBRARY), 'not an ELF file');
  return { bindingDir, libraryDirs: [libDir], deviceFiles: have.device ? ['/dev/nvidia0'] : [] };
}

const ALL = CUDA_LIBRARIES.map((l) => l.soname);

function rejectsWith(layout: CudaLayout, reason: string, names: RegExp): void {
  assert.throws(
    () => requireCudaProvider(layout),
    (e: unknown) =>
      e instanceof CudaUnavailableError &&
      e.code === 'EP_UNAVAILABLE' &&
      e.reason === reason &&
      names.test(e.message) &&
      e.missing.some((m) => names.test(m)),
  );
}

test('no provider beside the binding: EP_UNAVAILABLE naming libonnxruntime_providers_cuda.so and the setup', (t) => {
  const layout = fakeLayout(t, { provider: false, libs: ALL, driver: true, device: true });
  const state = cudaProviderState(layout);
  assert.equal(state.kind, 'provider-missing');
  rejectsWith(layout, 'provider-missing', /libonnxruntime_providers_cuda\.so/);
  assert.throws(() => requireCudaProvider(layout), /infra\/setup\.sh --gpu/);
});

test('provider there, a CUDA library missing: EP_UNAVAILABLE naming that library and its wheel', (t) => {
  const libs = ALL.filter((l) => l !== 'libcurand.so.10');
  const layout = fakeLayout(t, { provider: true, libs, driver: true, device: true });
  rejectsWith(layout, 'library-missing', /libcurand\.so\.10/);
  assert.throws(() => requireCudaProvider(layout), /nvidia-curand/);
});

test('provider and libraries there, no driver and no device: EP_UNAVAILABLE saying there is no device', (t) => {
  const noDriver = fakeLayout(t, { provider: true, libs: ALL, driver: false, device: false });
  rejectsWith(noDriver, 'no-device', /libcuda\.so\.1/);
  assert.throws(() => requireCudaProvider(noDriver), /no CUDA device/);
  const noNode = fakeLayout(t, { provider: true, libs: ALL, driver: true, device: false });
  rejectsWith(noNode, 'no-device', /\/dev\/nvidia/);
});

test('everything present but a library that does not load: EP_UNAVAILABLE naming it and the loader', (t) => {
  const layout = fakeLayout(t, { provider: true, libs: ALL, driver: true, device: true });
  assert.equal(cudaProviderState(layout).kind, 'ready');
  // The first library in load order is a text file: dlopen refuses it, and the error says so.
  assert.throws(
    () => requireCudaProvider(layout),
    (e: unknown) =>
      e instanceof CudaUnavailableError &&
      e.reason === 'library-missing' &&
      e.missing[0] === 'libcudart.so.13' &&
      /does not load/.test(e.message),
  );
});

test('a real CUDA library is loaded by path and stays loaded (what lets onnxruntime find it)', (t) => {
  const cudart = venvNvidiaLibDirs()
    .map((d) => path.join(d, 'libcudart.so.13'))
    .find((f) => fs.existsSync(f));
  if (!cudart) return t.skip('no libcudart.so.13 in the venv (torch without CUDA wheels)');
  assert.equal(preloadCudaLibraries({ 'libcudart.so.13': cudart }), null);
  assert.match(fs.readFileSync('/proc/self/maps', 'utf8'), /libcudart\.so\.13/);
});

test('the default layout looks beside onnxruntime-node binding and in the venv nvidia wheels', () => {
  const layout = defaultCudaLayout({});
  assert.equal(layout.bindingDir, ortBindingDir());
  assert.ok(fs.existsSync(path.join(layout.bindingDir, 'onnxruntime_binding.node')), layout.bindingDir);
  for (const d of venvNvidiaLibDirs()) assert.ok(layout.libraryDirs.includes(d), d);
  assert.ok(defaultCudaLayout({ LD_LIBRARY_PATH: '/opt/x/lib' }).libraryDirs.includes('/opt/x/lib'));
});

test('asking for CUDA on this machine is the typed error of its state, never a CPU session', async (t) => {
  const state = cudaProviderState();
  if (state.kind === 'ready') return t.skip('a usable CUDA provider and device are present here');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-cuda-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const model = makeDetector(path.join(dir, 'm.onnx'), { imgsz: 64, nc: 2 });
  await assert.rejects(
    openDetector(model, { ep: 'cuda' }),
    (e: unknown) =>
      e instanceof CudaUnavailableError &&
      e.code === 'EP_UNAVAILABLE' &&
      e.reason === state.kind &&
      e.message.includes(state.missing[0]!),
  );
  t.diagnostic(`cuda here: ${state.kind} (${state.missing.join(', ')})`);
});

test('nvidia-smi CSV: name (with commas) and memory per GPU', () => {
  assert.deepEqual(parseNvidiaSmi('NVIDIA H200, 143771\nNVIDIA A100-SXM4-80GB, 81920\n\n'), [
    { name: 'NVIDIA H200', memoryMiB: 143771 },
    { name: 'NVIDIA A100-SXM4-80GB', memoryMiB: 81920 },
  ]);
  assert.deepEqual(parseNvidiaSmi('garbage'), []);
});
