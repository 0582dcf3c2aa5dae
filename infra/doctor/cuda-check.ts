// doctor's `cuda` line: onnxruntime-node's CUDA provider is available (device name, memory), a library is
// missing (which), or there is no device. A CPU-only machine passes: the CUDA provider is optional.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import {
  GPU_SETUP_HINT,
  PROVIDER_LIBRARIES,
  cudaProviderState,
  defaultCudaLayout,
  describeCudaState,
  gpuInfo,
  requireCudaProvider,
  type CudaState,
  type GpuInfo,
} from '../../runtime/cuda';
import { repoRoot } from '../../runtime/paths';
import type * as OrtModule from '../../runtime/ort';
import type { CheckResult } from './checks';
import { tinyAddModel } from './tiny-model';

/** Provider libraries whose sha256 is not the one pinned in infra/versions.env. */
export function providerChecksumMismatches(bindingDir: string, versionsEnv: string): string[] {
  const pins: Record<string, string | undefined> = {
    'libonnxruntime_providers_cuda.so': /^ORT_PROVIDER_CUDA_SHA256=(\S+)$/m.exec(versionsEnv)?.[1],
    'libonnxruntime_providers_shared.so': /^ORT_PROVIDER_SHARED_SHA256=(\S+)$/m.exec(versionsEnv)?.[1],
  };
  return PROVIDER_LIBRARIES.filter((f) => {
    const file = path.join(bindingDir, f);
    if (!fs.existsSync(file)) return false;
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex') !== pins[f];
  });
}

/** The doctor line for a state; `session` is the outcome of a real CUDA session when the state is ready. */
export function cudaCheckResult(
  state: CudaState,
  facts: { gpus: readonly GpuInfo[]; mismatched: readonly string[]; session?: string | null },
): CheckResult {
  const gpus = facts.gpus.map((g) => `${g.name}, ${g.memoryMiB} MiB`).join('; ');
  if (facts.mismatched.length > 0) {
    return {
      ok: false,
      detail: `library missing: ${facts.mismatched.join(', ')} do not match their pinned sha256; ${GPU_SETUP_HINT}`,
    };
  }
  if (state.kind === 'no-device') {
    const why = describeCudaState(state).replace(/^no CUDA device: /, '');
    return { ok: true, detail: `no device (${why}): evaluation and training run on the cpu` };
  }
  if (state.kind !== 'ready' && !state.deviceVisible) {
    const missing =
      state.kind === 'provider-missing'
        ? 'CUDA provider not installed'
        : `${state.missing.join(', ')} missing`;
    return {
      ok: true,
      detail: `no device (no GPU visible; ${missing}): evaluation and training run on the cpu`,
    };
  }
  if (state.kind === 'provider-missing') {
    return {
      ok: true,
      warning: true,
      detail: `library missing: a GPU is visible (${gpus || 'name unknown'}) but ${describeCudaState(state)}`,
    };
  }
  if (state.kind === 'library-missing')
    return { ok: false, detail: `library missing: ${describeCudaState(state)}` };
  if (facts.session) return { ok: false, detail: `library missing or unusable: ${facts.session}` };
  return {
    ok: true,
    detail: `available: ${gpus || 'a CUDA device (nvidia-smi not found)'}; onnxruntime-node ran a tiny model on cuda`,
  };
}

/** The check doctor runs: state from files, then (only when everything is there) a real CUDA session. */
export async function checkCuda(): Promise<CheckResult> {
  const layout = defaultCudaLayout();
  const state = cudaProviderState(layout);
  const versionsEnv = fs.readFileSync(path.join(repoRoot, 'infra', 'versions.env'), 'utf8');
  const mismatched =
    state.kind === 'provider-missing' ? [] : providerChecksumMismatches(layout.bindingDir, versionsEnv);
  const gpus = state.kind === 'ready' || (state.kind !== 'no-device' && state.deviceVisible) ? gpuInfo() : [];
  let session: string | null = null;
  if (state.kind === 'ready' && mismatched.length === 0) {
    try {
      requireCudaProvider(layout);
      // Through require, as checkOnnxRuntime does: a broken binding is a failed check, not a crashed doctor.
      const { ort } = createRequire(__filename)('../../runtime/ort') as typeof OrtModule;
      const s = await ort.InferenceSession.create(tinyAddModel(), {
        executionProviders: [{ name: 'cuda', deviceId: 0 }],
      });
      await s.release();
    } catch (err) {
      session = (err as Error).message;
    }
  }
  return cudaCheckResult(state, { gpus, mismatched, session });
}
