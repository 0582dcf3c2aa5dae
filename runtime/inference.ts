import { existsSync } from 'node:fs';
import { ort } from './ort';
import {
  cudaProviderState,
  cudaSessionError,
  defaultCudaLayout,
  describeCudaState,
  requireCudaProvider,
} from './cuda';
import { float32ToHalf, halfToFloat32 } from '../core/preprocess';
import { CudaUnavailableError, InferenceError } from './inference-error';

export type ExecutionProvider = 'cpu' | 'cuda';

/** Explicit onnxruntime session settings (nothing is left to library defaults that differ by version). */
export interface SessionConfig {
  readonly ep: ExecutionProvider;
  /** Threads inside one op; default: onnxruntime's choice (physical cores). */
  readonly intraOpThreads?: number;
  /** Threads across independent ops (used with parallel execution only). */
  readonly interOpThreads?: number;
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** CUDA device ordinal (ep 'cuda' only); default 0. */
  readonly deviceId?: number;
}

export const DEFAULT_SESSION: SessionConfig = { ep: 'cpu', graphOptimizationLevel: 'all' };

/** A YOLOv8-style detector session: one image input [B, 3, H, W], one output [B, 4 + nc, N]. */
export interface DetectorSession {
  readonly modelPath: string;
  readonly config: SessionConfig;
  readonly inputName: string;
  readonly outputName: string;
  readonly inputType: 'float32' | 'float16';
  /** Batch size when the model fixes it, else null (dynamic). */
  readonly fixedBatch: number | null;
  /** Square input size when the model fixes it, else null. */
  readonly fixedImgsz: number | null;
  /** Classes when the output shape states them, else known after the first run. */
  readonly numClasses: number | null;
  /** Runs one batch; returns the output as float32 with its dims. */
  run(
    input: Float32Array,
    batch: number,
    imgsz: number,
  ): Promise<{ data: Float32Array; dims: readonly number[] }>;
  release(): Promise<void>;
}

/**
 * Whether an execution provider can be used here. CUDA needs onnxruntime-node's CUDA provider (from the
 * onnxruntime-gpu wheel of the same version, installed by `bash infra/setup.sh --gpu`), the CUDA libraries
 * it loads, the NVIDIA driver and a device (runtime/cuda/status.ts); `reason` says which is missing.
 */
export function providerAvailability(ep: ExecutionProvider): { available: boolean; reason?: string } {
  if (ep === 'cpu') return { available: true };
  const listed = ort.listSupportedBackends().find((b) => b.name === ep);
  if (!listed) return { available: false, reason: `this onnxruntime-node build has no '${ep}' backend` };
  const layout = defaultCudaLayout();
  const state = cudaProviderState(layout);
  return state.kind === 'ready'
    ? { available: true }
    : { available: false, reason: describeCudaState(state, layout) };
}

function dimsOf(meta: ort.InferenceSession.ValueMetadata | undefined): (number | string)[] | null {
  return meta && meta.isTensor ? [...meta.shape] : null;
}

/** Opens a detector with explicit options; never falls back to another provider. */
export async function openDetector(
  modelPath: string,
  config: SessionConfig = DEFAULT_SESSION,
): Promise<DetectorSession> {
  if (!existsSync(modelPath))
    throw new InferenceError('MODEL_NOT_FOUND', `${modelPath}: model file not found`);
  // CUDA: the provider, its libraries and a device must be there (typed error naming what is missing),
  // and they are loaded here so that onnxruntime finds them without LD_LIBRARY_PATH.
  if (config.ep === 'cuda') {
    if (!ort.listSupportedBackends().some((b) => b.name === 'cuda'))
      throw new CudaUnavailableError(
        'provider-missing',
        [],
        "this onnxruntime-node build has no 'cuda' backend",
      );
    requireCudaProvider();
  }
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: [config.ep === 'cuda' ? { name: 'cuda', deviceId: config.deviceId ?? 0 } : 'cpu'],
    graphOptimizationLevel: config.graphOptimizationLevel ?? 'all',
    executionMode: 'sequential',
    logSeverityLevel: 3,
    ...(config.intraOpThreads ? { intraOpNumThreads: config.intraOpThreads } : {}),
    ...(config.interOpThreads ? { interOpNumThreads: config.interOpThreads } : {}),
  };
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(modelPath, options);
  } catch (err) {
    if (config.ep === 'cuda') throw cudaSessionError(modelPath, err);
    throw new InferenceError(
      'MODEL_LOAD_FAILED',
      `${modelPath}: cannot create a '${config.ep}' session: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const fail = (why: string): never => {
    void session.release();
    throw new InferenceError('MODEL_NOT_DETECTOR', `${modelPath}: not a YOLOv8-style detector: ${why}`);
  };
  if (session.inputNames.length !== 1) fail(`${session.inputNames.length} inputs, expected one image input`);
  if (session.outputNames.length < 1) fail('no outputs');
  const inMeta = session.inputMetadata[0];
  const outMeta = session.outputMetadata[0];
  const inDims = dimsOf(inMeta);
  const outDims = dimsOf(outMeta);
  const inputType = inMeta && inMeta.isTensor ? inMeta.type : undefined;
  if (inputType !== 'float32' && inputType !== 'float16')
    fail(`input type ${String(inputType)}, expected float32 or float16`);
  if (!inDims || inDims.length !== 4 || (typeof inDims[1] === 'number' && inDims[1] !== 3)) {
    fail(`input shape [${inDims?.join(', ')}], expected [B, 3, H, W]`);
  }
  if (!outDims || outDims.length !== 3 || (typeof outDims[1] === 'number' && outDims[1] < 5)) {
    fail(`output shape [${outDims?.join(', ')}], expected [B, 4 + classes, anchors]`);
  }
  const num = (d: number | string | undefined) => (typeof d === 'number' && d > 0 ? d : null);
  const fixedH = num(inDims![2]);
  const fixedW = num(inDims![3]);
  if (fixedH !== null && fixedW !== null && fixedH !== fixedW)
    fail(`input ${fixedH}x${fixedW} is not square`);
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  const fixedBatch = num(inDims![0]);
  const outClasses = num(outDims![1]);
  let half: Uint16Array | null = null;
  return {
    modelPath,
    config,
    inputName,
    outputName,
    inputType: inputType as 'float32' | 'float16',
    fixedBatch,
    fixedImgsz: fixedH,
    numClasses: outClasses === null ? null : outClasses - 4,
    async run(input, batch, imgsz) {
      let tensor: ort.Tensor;
      if (inputType === 'float16') {
        if (!half || half.length !== input.length) half = new Uint16Array(input.length);
        tensor = new ort.Tensor('float16', float32ToHalf(input, half), [batch, 3, imgsz, imgsz]);
      } else {
        tensor = new ort.Tensor('float32', input, [batch, 3, imgsz, imgsz]);
      }
      let out: ort.Tensor;
      try {
        const result = await session.run({ [inputName]: tensor });
        out = result[outputName]!;
      } catch (err) {
        throw new InferenceError(
          'INFERENCE_FAILED',
          `${modelPath}: inference failed: ${(err as Error).message}`,
          { cause: err },
        );
      }
      const dims = out.dims;
      if (dims.length !== 3 || dims[0] !== batch || dims[1]! < 5) {
        throw new InferenceError(
          'MODEL_NOT_DETECTOR',
          `${modelPath}: output shape [${dims.join(', ')}], expected [${batch}, 4 + classes, anchors]`,
        );
      }
      const data =
        out.type === 'float16' ? halfToFloat32(out.data as Uint16Array) : (out.data as Float32Array);
      if (out.type !== 'float32' && out.type !== 'float16') {
        throw new InferenceError(
          'MODEL_NOT_DETECTOR',
          `${modelPath}: output type ${out.type}, expected float32 or float16`,
        );
      }
      return { data, dims };
    },
    release: () => session.release(),
  };
}

/** Anchors a YOLOv8 detector has at a square input size (strides 8, 16, 32). */
export function expectedAnchors(imgsz: number): number {
  return [8, 16, 32].reduce((n, s) => n + Math.ceil(imgsz / s) ** 2, 0);
}
