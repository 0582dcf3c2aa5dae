import {
  letterboxGeometry,
  letterboxInto,
  boxesToOriginal,
  PAD_VALUE,
  type LetterboxGeometry,
} from '../core/preprocess';
import {
  DatasetError,
  remapClasses,
  type BadLabelPolicy,
  type Dataset,
  type DatasetImage,
} from '../core/datasets';
import {
  copyDetections,
  createDetections,
  DetectionDecoder,
  type Detections,
  type NmsOptions,
} from '../core/postprocess';
import { evaluateCoco, type CocoMetrics } from '../core/metrics';
import { loadDataset } from './datasets';
import type { LoadedDataset } from './datasets';
import { decodeImageFile, type DecodedImage } from './images';
import {
  DEFAULT_SESSION,
  expectedAnchors,
  openDetector,
  type DetectorSession,
  type SessionConfig,
} from './inference';
import { InferenceError } from './inference-error';
import type { InputCache } from './input-cache';
import { modelMetadata } from './model-metadata';
import { describeSplit, type DataSplit } from '../common/data-split';

export interface EvaluateOptions {
  readonly model: string;
  readonly data: string;
  readonly split: DataSplit;
  /** Evaluate only the first `limit` images of the split (calibration subsets, small budgets). */
  readonly limit?: number;
  /** Square input size; default: the model's fixed size, else its `imgsz` metadata, else 640. */
  readonly imgsz?: number;
  /** Images per inference call; default: the model's fixed batch, else 8. */
  readonly batch?: number;
  readonly session?: SessionConfig;
  readonly policy?: BadLabelPolicy;
  readonly nms?: Partial<NmsOptions>;
  /** Run one untimed inference first, so that `timings` exclude onnxruntime's first-run allocations. */
  readonly warmup?: boolean;
  /** Letterboxed inputs reused across evaluations of the same images (sensitivity scans). */
  readonly cache?: InputCache;
  /** Called after each batch with images done so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface EvaluationTimings {
  /** Wall time of the batch loop (decode, letterbox, inference, NMS), ms. */
  loopMs: number;
  /** Sum of `session.run` times over the same batches, ms. */
  inferenceMs: number;
  decodeMs: number;
  letterboxMs: number;
  postprocessMs: number;
  metricsMs: number;
  /** Session creation, model metadata and dataset listing, ms. */
  setupMs: number;
}

export interface EvaluationResult {
  metrics: CocoMetrics;
  classNames: readonly string[];
  /** How the dataset's classes were matched to the model's outputs. */
  classSource: 'model-names' | 'data-index';
  images: number;
  skippedLabels: number;
  skippedImages: number;
  issues: LabelIssueSummary[];
  seconds: number;
  imagesPerS: number;
  imgsz: number;
  batch: number;
  timings: EvaluationTimings;
  /** Detections per evaluated image (original pixels), aligned with `evaluatedImages`. */
  detections: Detections[];
  evaluatedImages: DatasetImage[];
}

export interface LabelIssueSummary {
  kind: string;
  file: string;
  message: string;
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * Classes are matched by name when the model's metadata names any of the data's classes; otherwise by
 * index (a model without names, or with placeholder names), and data classes beyond the model's count
 * are classes the model lacks.
 */
function matchClasses(
  loaded: LoadedDataset,
  modelNames: string[] | null,
  nc: number,
): { dataset: Dataset; source: EvaluationResult['classSource'] } {
  const data = loaded.dataset;
  if (modelNames && modelNames.length === nc && data.classNames.some((n) => modelNames.includes(n))) {
    return { dataset: remapClasses(data, modelNames, loaded.validator), source: 'model-names' };
  }
  if (data.classNames.length > nc) {
    return {
      dataset: remapClasses(data, data.classNames.slice(0, nc), loaded.validator),
      source: 'data-index',
    };
  }
  return { dataset: data, source: 'data-index' };
}

export async function evaluateModel(options: EvaluateOptions): Promise<EvaluationResult> {
  const t0 = now();
  const policy = options.policy ?? 'skip';
  const detector = await openDetector(options.model, options.session ?? DEFAULT_SESSION);
  try {
    const meta = modelMetadata(options.model);
    const imgsz = options.imgsz ?? detector.fixedImgsz ?? meta.imgsz ?? 640;
    if (detector.fixedImgsz !== null && detector.fixedImgsz !== imgsz) {
      throw new InferenceError(
        'MODEL_INPUT_MISMATCH',
        `${options.model}: the model's input is fixed at ${detector.fixedImgsz}, --imgsz is ${imgsz}`,
      );
    }
    if (imgsz % 32 !== 0)
      throw new InferenceError('MODEL_INPUT_MISMATCH', `--imgsz ${imgsz} is not a multiple of the stride 32`);
    const batch = options.batch ?? detector.fixedBatch ?? 8;
    if (detector.fixedBatch !== null && detector.fixedBatch !== batch) {
      throw new InferenceError(
        'MODEL_INPUT_MISMATCH',
        `${options.model}: the model's batch is fixed at ${detector.fixedBatch}, --batch is ${batch}`,
      );
    }
    const loaded = await loadDataset(options.data, { split: options.split, policy, limit: options.limit });
    const validator = loaded.validator;
    const names = meta.names;
    const nc = detector.numClasses ?? names?.length ?? loaded.dataset.classNames.length;
    const { dataset, source } = matchClasses(loaded, names, nc);
    const setupMs = now() - t0;

    const timings: EvaluationTimings = {
      loopMs: 0,
      inferenceMs: 0,
      decodeMs: 0,
      letterboxMs: 0,
      postprocessMs: 0,
      metricsMs: 0,
      setupMs,
    };
    const images = dataset.images;
    const input = new Float32Array(batch * 3 * imgsz * imgsz);
    const scratch = createDetections(options.nms?.maxDetections ?? 300);
    let decoder: DetectionDecoder | null = null;
    const evaluated: DatasetImage[] = [];
    const detections: Detections[] = [];

    // Decoding runs on libuv threads; the next batch is decoded while the current one is inferred.
    // Images already in the cache are not decoded at all.
    type Decoded = DecodedImage | DatasetError | 'cached';
    const cache = options.cache;
    const decodeBatch = (start: number) => {
      const t = now();
      const slice = images.slice(start, start + batch);
      return Promise.all(
        slice.map((im): Promise<[DatasetImage, Decoded]> => {
          const file = loaded.resolveImage(im.file);
          if (cache?.get(file, imgsz)) return Promise.resolve([im, 'cached']);
          return decodeImageFile(file, im.file).then(
            (img): [DatasetImage, Decoded] => [im, img],
            (err: unknown): [DatasetImage, Decoded] => {
              if (err instanceof DatasetError) return [im, err];
              throw err;
            },
          );
        }),
      ).then((r) => {
        timings.decodeMs += now() - t;
        return r;
      });
    };
    if (options.warmup) {
      const n = detector.fixedBatch ?? batch;
      await detector.run(input.fill(PAD_VALUE / 255).subarray(0, n * 3 * imgsz * imgsz), n, imgsz);
    }
    const loopStart = now();
    // Decode ahead by about 8 images so libuv's threads stay busy even at batch 1 (a fast model otherwise
    // waits on one JPEG decode per image).
    const ahead = Math.max(1, Math.ceil(8 / batch));
    const pending: ReturnType<typeof decodeBatch>[] = [];
    let nextStart = 0;
    const refill = () => {
      while (pending.length < ahead && nextStart < images.length) {
        const p = decodeBatch(nextStart);
        p.catch(() => undefined); // awaited below; this keeps an early exit from leaving it unhandled
        pending.push(p);
        nextStart += batch;
      }
    };
    refill();
    for (let start = 0; start < images.length; start += batch) {
      const decoded = await pending.shift()!;
      refill();
      const tl = now();
      const ok: { im: DatasetImage; g: LetterboxGeometry }[] = [];
      const plane3 = 3 * imgsz * imgsz;
      for (const [im, img] of decoded) {
        if (img === 'cached') {
          const hit = cache!.get(loaded.resolveImage(im.file), imgsz)!;
          input.set(hit.pixels, ok.length * plane3);
          ok.push({ im, g: hit.geometry });
          continue;
        }
        if (img instanceof DatasetError) {
          validator.flag('unreadable-image', img.file, img.message, img);
          continue;
        }
        if (img.width !== im.width || img.height !== im.height) {
          // Labels are in the annotated size; a different image would silently misplace every box.
          const e = new DatasetError(
            'DATASET_LABEL_INVALID',
            im.labelFile ?? im.file,
            `labels are for ${im.width}x${im.height}, the image is ${img.width}x${img.height}`,
          );
          validator.flag('invalid-label', e.file, e.message, e);
          continue;
        }
        const g = letterboxGeometry(img.width, img.height, imgsz);
        letterboxInto(img.data, g, input, ok.length * plane3);
        cache?.put(
          loaded.resolveImage(im.file),
          imgsz,
          input.subarray(ok.length * plane3, (ok.length + 1) * plane3),
          g,
        );
        ok.push({ im, g });
      }
      if (ok.length === 0) continue;
      // A fixed-batch model gets gray filler for the missing images of the last batch.
      const runBatch = detector.fixedBatch ?? ok.length;
      if (runBatch > ok.length)
        input.fill(PAD_VALUE / 255, ok.length * 3 * imgsz * imgsz, runBatch * 3 * imgsz * imgsz);
      timings.letterboxMs += now() - tl;
      const ti = now();
      const { data, dims } = await detector.run(
        input.subarray(0, runBatch * 3 * imgsz * imgsz),
        runBatch,
        imgsz,
      );
      timings.inferenceMs += now() - ti;
      const tp = now();
      if (!decoder) decoder = makeDecoder(detector, dims, imgsz, options.nms);
      for (let b = 0; b < ok.length; b++) {
        decoder.decode(data, b, scratch);
        boxesToOriginal(scratch.boxes, scratch.count, ok[b]!.g);
        detections.push(copyDetections(scratch));
        evaluated.push(ok[b]!.im);
      }
      timings.postprocessMs += now() - tp;
      options.onProgress?.(Math.min(start + batch, images.length), images.length);
    }
    timings.loopMs = now() - loopStart;
    if (evaluated.length === 0)
      throw new DatasetError('DATASET_EMPTY', describeSplit(loaded.split), 'no image could be evaluated');
    const tm = now();
    const metrics = evaluateCoco(evaluated, detections, dataset.classNames.length);
    timings.metricsMs = now() - tm;
    const report = validator.result();
    const seconds = (now() - t0) / 1000;
    return {
      metrics,
      classNames: dataset.classNames,
      classSource: source,
      images: evaluated.length,
      skippedLabels: report.skippedLabels,
      skippedImages: report.skippedImages,
      issues: report.issues,
      seconds,
      imagesPerS: evaluated.length / seconds,
      imgsz,
      batch,
      timings,
      detections,
      evaluatedImages: evaluated,
    };
  } finally {
    await detector.release();
  }
}

function makeDecoder(
  detector: DetectorSession,
  dims: readonly number[],
  imgsz: number,
  nms?: Partial<NmsOptions>,
): DetectionDecoder {
  const anchors = dims[2]!;
  if (anchors !== expectedAnchors(imgsz)) {
    throw new InferenceError(
      'MODEL_NOT_DETECTOR',
      `${detector.modelPath}: output has ${anchors} anchors; a YOLOv8 detector at ${imgsz}x${imgsz} has ${expectedAnchors(imgsz)}`,
    );
  }
  return new DetectionDecoder(dims[1]! - 4, anchors, nms);
}
