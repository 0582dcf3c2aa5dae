// Loads the CUDA libraries the provider needs by full path before onnxruntime loads the provider, so that
// nobody has to set LD_LIBRARY_PATH. onnxruntime dlopens libonnxruntime_providers_cuda.so from the binding
// folder; that library has no RUNPATH, so its DT_NEEDED entries (libcublas.so.13, ...) and its later
// dlopen("libcudnn.so.9") resolve only through LD_LIBRARY_PATH (read once, at process start), ld.so.cache
// and the system folders, none of which hold the venv's nvidia-* wheels. The dynamic loader, however,
// matches every such name against the SONAMEs of libraries already loaded first, so loading each one by
// its path here makes all of them resolve.
import os from 'node:os';
import { CUDA_LIBRARIES, DRIVER_LIBRARY } from './layout';

/**
 * glibc's RTLD_NODELETE (not in os.constants.dlopen). process.dlopen is meant for addons: on a plain
 * library it loads it, finds no module registration, throws "Module did not self-register" and dlcloses
 * it, which would unload it again; NODELETE keeps it loaded (checked in /proc/self/maps).
 */
const RTLD_NODELETE = 0x1000;

const loaded = new Set<string>();

export interface PreloadFailure {
  soname: string;
  file: string;
  message: string;
}

/**
 * dlopen (RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE) each library of `files` (soname → path) in the
 * provider's load order, the driver last. Returns the first library that failed to load (a wrong
 * architecture, a missing dependency), or null. Loading twice is a no-op.
 */
export function preloadCudaLibraries(files: Record<string, string>): PreloadFailure | null {
  const { RTLD_NOW, RTLD_GLOBAL } = os.constants.dlopen as { RTLD_NOW: number; RTLD_GLOBAL: number };
  const order = [...CUDA_LIBRARIES.map((l) => l.soname), DRIVER_LIBRARY];
  for (const soname of order) {
    const file = files[soname];
    if (!file || loaded.has(file)) continue;
    try {
      process.dlopen({ exports: {} }, file, RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE);
    } catch (err) {
      const message = (err as Error).message;
      // Loaded, and not an addon: exactly what we want.
      if (!message.startsWith('Module did not self-register')) return { soname, file, message };
    }
    loaded.add(file);
  }
  return null;
}
