export {
  CUDA_LIBRARIES,
  DRIVER_LIBRARY,
  PROVIDER_LIBRARIES,
  PROVIDER_LIBRARY,
  defaultCudaLayout,
  findLibrary,
  ortBindingDir,
  venvNvidiaLibDirs,
  type CudaLayout,
} from './layout';
export { GPU_SETUP_HINT, cudaProviderState, describeCudaState, type CudaState } from './status';
export { preloadCudaLibraries, type PreloadFailure } from './preload';
export { cudaSessionError, requireCudaProvider } from './require-provider';
export { gpuInfo, parseNvidiaSmi, type GpuInfo } from './device-info';
