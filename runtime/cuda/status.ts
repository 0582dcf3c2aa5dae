// Whether the CUDA execution provider can be used here, and if not, the first thing that is missing: the
// provider itself, a CUDA library, or a device. Checked from files only (no library is loaded), so it is
// cheap enough to ask before every CUDA session and safe to ask on a CPU-only machine.
import fs from 'node:fs';
import path from 'node:path';
import {
  CUDA_LIBRARIES,
  DRIVER_LIBRARY,
  PROVIDER_LIBRARIES,
  defaultCudaLayout,
  findLibrary,
  type CudaLayout,
} from './layout';

export const GPU_SETUP_HINT = 'run `bash infra/setup.sh --gpu`';

export type CudaState =
  /** Provider, CUDA libraries, driver and a device are all there (a session can still fail; see openDetector). */
  | { kind: 'ready'; libraries: Record<string, string>; driver: string; devices: readonly string[] }
  /** onnxruntime-node's CUDA provider libraries are not beside its binding. */
  | { kind: 'provider-missing'; missing: string[]; deviceVisible: boolean }
  /** The provider is installed; CUDA libraries it needs are nowhere the loader (or our preload) looks. */
  | { kind: 'library-missing'; missing: string[]; deviceVisible: boolean }
  /** Provider and libraries are there, but no NVIDIA driver library or no device node. */
  | { kind: 'no-device'; missing: string[] };

/** The CUDA provider's state on `layout` (default: this machine). */
export function cudaProviderState(layout: CudaLayout = defaultCudaLayout()): CudaState {
  const deviceVisible = layout.deviceFiles.length > 0;
  const providerMissing = PROVIDER_LIBRARIES.filter((f) => !fs.existsSync(path.join(layout.bindingDir, f)));
  if (providerMissing.length > 0)
    return { kind: 'provider-missing', missing: providerMissing, deviceVisible };
  const libraries: Record<string, string> = {};
  const missing: string[] = [];
  for (const { soname } of CUDA_LIBRARIES) {
    const file = findLibrary(layout, soname);
    if (file) libraries[soname] = file;
    else missing.push(soname);
  }
  if (missing.length > 0) return { kind: 'library-missing', missing, deviceVisible };
  const driver = findLibrary(layout, DRIVER_LIBRARY);
  if (!driver || !deviceVisible) {
    return {
      kind: 'no-device',
      missing: [...(driver ? [] : [DRIVER_LIBRARY]), ...(deviceVisible ? [] : ['/dev/nvidia*'])],
    };
  }
  return { kind: 'ready', libraries, driver, devices: layout.deviceFiles };
}

/** One line for errors and doctor: what is missing and how to fix it. */
export function describeCudaState(state: CudaState, layout?: Pick<CudaLayout, 'bindingDir'>): string {
  switch (state.kind) {
    case 'ready':
      return `CUDA provider, libraries (${Object.keys(state.libraries).join(', ')}), driver and device (${state.devices.join(', ')}) present`;
    case 'provider-missing':
      return (
        `onnxruntime-node's CUDA provider is not installed: ${state.missing.join(', ')} missing` +
        `${layout ? ` in ${layout.bindingDir}` : ''}; ${GPU_SETUP_HINT}` +
        (state.deviceVisible ? '' : ' (and no GPU is visible on this machine)')
      );
    case 'library-missing':
      return (
        `CUDA library missing: ${state.missing
          .map((s) => `${s} (from ${CUDA_LIBRARIES.find((l) => l.soname === s)?.from ?? 'a CUDA wheel'})`)
          .join(', ')}; ${GPU_SETUP_HINT}` +
        (state.deviceVisible ? '' : ' (and no GPU is visible on this machine)')
      );
    case 'no-device':
      return state.missing.includes(DRIVER_LIBRARY)
        ? `no CUDA device: the NVIDIA driver library ${DRIVER_LIBRARY} is not installed${state.missing.length > 1 ? ' and no /dev/nvidia* device node exists' : ''}`
        : 'no CUDA device: no /dev/nvidia* device node exists (driver present)';
  }
}
