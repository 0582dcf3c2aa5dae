// The one gate before a CUDA session: everything the provider needs is there, and loaded so onnxruntime
// finds it; otherwise a typed EP_UNAVAILABLE naming the missing piece (never a CPU fallback).
import { CudaUnavailableError } from '../inference-error';
import { defaultCudaLayout, type CudaLayout } from './layout';
import { preloadCudaLibraries } from './preload';
import { cudaProviderState, describeCudaState, type CudaState } from './status';

/** Throws CudaUnavailableError unless the provider, its libraries and a device are present; preloads them. */
export function requireCudaProvider(
  layout: CudaLayout = defaultCudaLayout(),
): Extract<CudaState, { kind: 'ready' }> {
  const state = cudaProviderState(layout);
  if (state.kind !== 'ready') {
    throw new CudaUnavailableError(
      state.kind,
      state.missing,
      `execution provider 'cuda' is not available: ${describeCudaState(state, layout)}`,
    );
  }
  const failed = preloadCudaLibraries({ ...state.libraries, 'libcuda.so.1': state.driver });
  if (failed) {
    throw new CudaUnavailableError(
      'library-missing',
      [failed.soname],
      `execution provider 'cuda' is not available: ${failed.file} does not load: ${failed.message}`,
    );
  }
  return state;
}

/**
 * An onnxruntime session-creation failure with the CUDA provider, as a typed error. onnxruntime-node's
 * message is only "Failed to load shared library" (the loader's reason goes to stderr through onnxruntime's
 * logger), so the preflight above names files; what reaches here is what it cannot see: a driver without a
 * usable device, an incompatible driver, a library that loads but lacks a symbol.
 */
export function cudaSessionError(modelPath: string, err: unknown): CudaUnavailableError {
  const message = (err as Error).message ?? String(err);
  const noDevice =
    /no CUDA-capable device|CUDA driver version is insufficient|cudaErrorNoDevice|CUDA failure 100/i;
  const reason = noDevice.test(message) ? 'no-device' : 'session-failed';
  return new CudaUnavailableError(
    reason,
    reason === 'no-device' ? ['a CUDA device'] : [],
    `${modelPath}: cannot create a 'cuda' session: ${message}` +
      (/Failed to load shared library/.test(message)
        ? " (onnxruntime's loader printed the library it could not load on stderr)"
        : ''),
    { cause: err },
  );
}
