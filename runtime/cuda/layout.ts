// Where onnxruntime-node's CUDA execution provider and the CUDA libraries it needs are looked for. Nothing
// here loads anything: it only names folders and finds files, so a CPU-only machine pays a few stat calls.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { venvDir } from '../paths';

/** The two libraries infra/setup-gpu.sh copies from the onnxruntime-gpu wheel beside the binding. */
export const PROVIDER_LIBRARIES = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'];
export const PROVIDER_LIBRARY = 'libonnxruntime_providers_cuda.so';

/**
 * What the pinned provider (onnxruntime-gpu 1.30.0, CUDA 13) loads: the CUDA entries of its DT_NEEDED list
 * (`readelf -d`: cublasLt 13, cublas 13, curand 10, cudart 13) and cuDNN, which it dlopens by the name
 * libcudnn.so.9 on first use. In load order, each library after its own dependencies (cublas needs
 * cublasLt), and each with the wheel it comes from, so an error can say what to install.
 */
export const CUDA_LIBRARIES: readonly { soname: string; from: string }[] = [
  { soname: 'libcudart.so.13', from: 'nvidia-cuda-runtime (installed with torch)' },
  { soname: 'libcublasLt.so.13', from: 'nvidia-cublas (installed with torch)' },
  { soname: 'libcublas.so.13', from: 'nvidia-cublas (installed with torch)' },
  { soname: 'libcurand.so.10', from: 'nvidia-curand (infra/requirements-gpu.txt)' },
  { soname: 'libcudnn.so.9', from: 'nvidia-cudnn-cu13 (installed with torch)' },
];

/** The NVIDIA driver's user-space library: never from a wheel; without it there is no usable device. */
export const DRIVER_LIBRARY = 'libcuda.so.1';

export interface CudaLayout {
  /** onnxruntime-node's binding folder (bin/napi-v6/<platform>/<arch>), where the provider must lie. */
  readonly bindingDir: string;
  /** Folders searched for the CUDA libraries and the driver, in order. */
  readonly libraryDirs: readonly string[];
  /** Device nodes whose presence means a GPU is visible (/dev/nvidia0, WSL's /dev/dxg). */
  readonly deviceFiles: readonly string[];
}

/** onnxruntime-node's binding folder: binding.ts loads `../bin/napi-v6/${platform}/${arch}`. */
export function ortBindingDir(): string {
  const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'));
  return path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
}

/** `<venv>/lib/python3.*\/site-packages/nvidia/*\/lib`: where the nvidia-* wheels put their libraries. */
export function venvNvidiaLibDirs(venv = venvDir): string[] {
  const lib = path.join(venv, 'lib');
  const dirs: string[] = [];
  for (const py of safeReaddir(lib).filter((n) => n.startsWith('python'))) {
    const nvidia = path.join(lib, py, 'site-packages', 'nvidia');
    for (const pkg of safeReaddir(nvidia).sort()) {
      const d = path.join(nvidia, pkg, 'lib');
      if (isDir(d)) dirs.push(d);
    }
  }
  return dirs;
}

/** Folders the dynamic loader knows from ld.so.cache (`ldconfig -p`), e.g. a CUDA toolkit's. */
function ldconfigDirs(): string[] {
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    if (!fs.existsSync(ldconfig)) continue;
    const r = spawnSync(ldconfig, ['-p'], { encoding: 'utf8', timeout: 5000 });
    if (r.status !== 0) return [];
    const dirs = new Set<string>();
    for (const m of r.stdout.matchAll(/=>\s*(\S+)$/gm)) dirs.add(path.dirname(m[1]!));
    return [...dirs];
  }
  return [];
}

/** The layout of this machine: the venv's nvidia wheels first, then LD_LIBRARY_PATH and system folders. */
export function defaultCudaLayout(env: NodeJS.ProcessEnv = process.env): CudaLayout {
  const fromEnv = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const system = [
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/lib/x86_64-linux-gnu',
    '/usr/local/nvidia/lib64', // the NVIDIA device plugin's mount in Kubernetes pods
    '/usr/lib/wsl/lib', // WSL 2's driver
    '/usr/local/cuda/lib64',
  ];
  const libraryDirs = [...new Set([...venvNvidiaLibDirs(), ...fromEnv, ...system, ...ldconfigDirs()])];
  const deviceFiles = [
    ...safeReaddir('/dev')
      .filter((n) => /^nvidia\d+$/.test(n))
      .map((n) => `/dev/${n}`),
    ...(fs.existsSync('/dev/dxg') ? ['/dev/dxg'] : []),
  ];
  return { bindingDir: ortBindingDir(), libraryDirs, deviceFiles };
}

/** The first file named `soname` in the layout's folders, or null. */
export function findLibrary(layout: CudaLayout, soname: string): string | null {
  for (const dir of layout.libraryDirs) {
    const file = path.join(dir, soname);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function isDir(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
