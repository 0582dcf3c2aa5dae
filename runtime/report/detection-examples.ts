import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { pairedBootstrapSteps } from '../../core/metrics';
import {
  boxesAbove,
  pickDifferingImages,
  type DetectionExamples,
  type MatchCounts,
  type MapChange,
  type MatchOptions,
} from '../../core/report';
import type { DatasetImage } from '../../core/datasets';
import type { Detections } from '../../core/postprocess';
import { loadDataset } from '../datasets';
import { evaluateModel, type EvaluationResult } from '../evaluate';
import { decodeImageFile } from '../images';
import type { SessionConfig } from '../inference';
import { drawDetectionPanel } from './detection-panel';
import { describeSplit, type DataSplit } from '../../common/data-split';

export interface DetectionExamplesOptions {
  original: string;
  compressed: string;
  data: string;
  split: DataSplit;
  /** Only the first `limit` images of the split, as the evaluation step reads it (`evaluation.maxImages`). */
  limit?: number;
  imgsz?: number;
  /** Pictures to draw (each as three panels). */
  count?: number;
  session?: SessionConfig;
  match?: MatchOptions;
  /** Seed of the paired bootstrap's image resamples (default 0: the same report for the same run). */
  bootstrapSeed?: number;
}

export interface ClassAp {
  name: string;
  ap50_95: number | null;
  ap50: number | null;
}

export interface DetectionExamplesResult {
  /** The report's `detections` section; panel names are relative file names of `files`. */
  examples: DetectionExamples;
  files: { name: string; bytes: Uint8Array; type: string }[];
  /** AP per class of both models on the same images, from the same runs. */
  perClass: { original: ClassAp[]; compressed: ClassAp[] };
  /** The mAP50-95 change on these images with its paired-bootstrap interval; absent without images. */
  mapChange?: MapChange;
}

/**
 * 1,000 resamples for an evaluation split of up to 200 images, fewer for larger ones (each resample re-scores
 * every image: ~24 ms for BCCD's 72 on one core), never under 100.
 */
const bootstrapResamples = (images: number) =>
  Math.max(100, Math.min(1000, Math.floor(200_000 / Math.max(images, 1))));

/** The paired bootstrap of B − A, yielding to the event loop between resamples (activity heartbeats). */
async function mapChangeOf(
  images: DatasetImage[],
  a: Detections[],
  b: Detections[],
  numClasses: number,
  seed: number,
): Promise<MapChange> {
  const resamples = bootstrapResamples(images.length);
  const steps = pairedBootstrapSteps(images, a, b, numClasses, { resamples, seed });
  for (let s = steps.next(); ; s = steps.next()) {
    if (s.done) {
      const r = s.value;
      return {
        metric: 'map50_95',
        images: images.length,
        observed: r.observed,
        low: r.low,
        high: r.high,
        level: r.level,
        resamples: r.resamples,
        seed,
        sd_original: r.sdA,
        sd_compressed: r.sdB,
      };
    }
    if (s.value % 10 === 0) await yieldToEventLoop();
  }
}

const perClassOf = (e: EvaluationResult): ClassAp[] =>
  e.classNames.map((name, i) => ({
    name,
    ap50_95: e.metrics.perClassAp[i] ?? null,
    ap50: e.metrics.perClassAp50[i] ?? null,
  }));

const snake = (c: MatchCounts) => ({
  detections: c.detections,
  matched: c.matched,
  false_positives: c.falsePositives,
  missed: c.missed,
});

/** File-system-safe panel names: the image's position and a cleaned stem, never a path. */
const panelName = (rank: number, file: string, kind: string) =>
  `detections/${String(rank + 1).padStart(2, '0')}-${
    (file.split('/').pop() ?? 'image')
      .replace(/\.[^.]+$/, '')
      .replace(/[^A-Za-z0-9_-]+/g, '_')
      .slice(0, 60) || 'image'
  }-${kind}.jpg`;

/**
 * Runs the original and the compressed model over the same split (the evaluator's own pipeline: letterbox,
 * inference, NMS, boxes in original pixels), picks the images where their matched detections differ most,
 * and draws each three times: ground truth, the original's detections, the compressed model's. The same
 * runs give the mAP change's paired-bootstrap interval.
 */
export async function detectionExamples(o: DetectionExamplesOptions): Promise<DetectionExamplesResult> {
  const run = (model: string) =>
    evaluateModel({
      model,
      data: o.data,
      split: o.split,
      limit: o.limit,
      imgsz: o.imgsz,
      session: o.session,
    });
  // One after the other: two sessions at once would double the peak memory for no gain on a busy worker.
  const a = await run(o.original);
  const b = await run(o.compressed);
  // Both runs read the same split; an image one of them could not decode is left out of the comparison.
  const inB = new Map(b.evaluatedImages.map((im, i) => [im.file, i]));
  const pairs: { im: DatasetImage; da: Detections; db: Detections }[] = [];
  a.evaluatedImages.forEach((im, i) => {
    const j = inB.get(im.file);
    if (j !== undefined) pairs.push({ im, da: a.detections[i]!, db: b.detections[j]! });
  });
  const match = { iou: o.match?.iou ?? 0.5, minScore: o.match?.minScore ?? 0.25 };
  const picked = pickDifferingImages(
    pairs.map((p) => p.im.boxes),
    pairs.map((p) => p.da),
    pairs.map((p) => p.db),
    o.count ?? 4,
    match,
  );
  const loaded = await loadDataset(o.data, { split: o.split, policy: 'skip', limit: o.limit });
  const files: DetectionExamplesResult['files'] = [];
  const images: DetectionExamples['images'] = [];
  const classNames = a.classNames;
  for (const [rank, d] of picked.entries()) {
    const p = pairs[d.index]!;
    const decoded = await decodeImageFile(loaded.resolveImage(p.im.file), p.im.file);
    const panels = {
      ground_truth: panelName(rank, p.im.file, 'truth'),
      original: panelName(rank, p.im.file, 'original'),
      compressed: panelName(rank, p.im.file, 'compressed'),
    };
    const draw = [
      [panels.ground_truth, p.im.boxes.filter((g) => !g.iscrowd)],
      [panels.original, boxesAbove(p.da, match.minScore)],
      [panels.compressed, boxesAbove(p.db, match.minScore)],
    ] as const;
    for (const [name, boxes] of draw) {
      files.push({
        name,
        bytes: await drawDetectionPanel(decoded, boxes, { classNames }),
        type: 'image/jpeg',
      });
    }
    images.push({
      file: p.im.file,
      ground_truth: p.im.boxes.filter((g) => !g.iscrowd).length,
      original: snake(d.original),
      compressed: snake(d.compressed),
      panels,
    });
  }
  const mapChange =
    pairs.length > 0
      ? await mapChangeOf(
          pairs.map((p) => p.im),
          pairs.map((p) => p.da),
          pairs.map((p) => p.db),
          classNames.length,
          o.bootstrapSeed ?? 0,
        )
      : undefined;
  return {
    ...(mapChange ? { mapChange } : {}),
    examples: {
      split: describeSplit(o.split),
      iou: match.iou,
      min_score: match.minScore,
      class_names: [...classNames],
      images_compared: pairs.length,
      images,
    },
    files,
    perClass: { original: perClassOf(a), compressed: perClassOf(b) },
  };
}
