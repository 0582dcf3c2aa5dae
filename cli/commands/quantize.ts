import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { DatasetError } from '../../core/datasets';
import { decodeModel } from '../../core/onnx/decode';
import { encodeModel } from '../../core/onnx/encode';
import { imageInputSize } from '../../core/onnx/model';
import { OBSERVER_KINDS } from '../../core/quantize';
import { bccdRoot, loadDataset } from '../../runtime/datasets';
import type { LoadedDataset } from '../../runtime/datasets/loaded-dataset';
import { letterboxAll } from '../../runtime/quantize/calibration-set';
import { quantizeDetector } from '../../runtime/quantize/quantize-detector';
import { CliUsageError, parseFlags } from '../args';
import type { CliCommand } from '../command';
import { positiveInt } from './flags';

const usage = `usage:
  stageprune quantize MODEL --out FILE [--data DIR] [--split S] [--images 64] [--imgsz N]
      [--observer ${OBSERVER_KINDS.join('|')}] [--activations uint8|int8] [--keep-float NODE,...]
      [--max-drop POINTS] [--json]
  Static post-training INT8 in QDQ form, which onnxruntime runs as integer kernels: weights int8 per output
  channel, activations per tensor with ranges calibrated on --images images of a data split (default: the
  data set's 'selection' split, else 'val'; never 'test', which would make its scores optimistic). The
  model is written in deploy form (BN folded); the detector's decode path (DFL, box decode, class sigmoid)
  stays in float. With --max-drop, layers are kept in float, most sensitive first, until mAP50-95 on the
  calibration split is within that many points of the float model's.
  --data defaults to BCCD (datasets/bccd).`;

const schema = z.object({
  out: z.string().min(1, '--out is required'),
  data: z.string().min(1).optional(),
  split: z.string().min(1).optional(),
  images: positiveInt('images'),
  imgsz: positiveInt('imgsz'),
  observer: z.enum(OBSERVER_KINDS as [string, ...string[]]).default('minmax'),
  activations: z.enum(['uint8', 'int8']).default('uint8'),
  'keep-float': z.string().optional(),
  'max-drop': z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) {
        ctx.addIssue({
          code: 'custom',
          message: `--max-drop must be a non-negative number of points, got '${v}'`,
        });
        return z.NEVER;
      }
      return n;
    }),
  json: z.boolean().default(false),
});

async function calibrationSplit(
  data: string,
  split: string | undefined,
  limit: number,
): Promise<LoadedDataset> {
  if (split === 'test')
    throw new CliUsageError(
      '--split test: calibrating on the test split would make its scores optimistic; name another split',
    );
  if (split) return loadDataset(data, { split, policy: 'skip', limit });
  try {
    return await loadDataset(data, { split: 'selection', policy: 'skip', limit });
  } catch (err) {
    if (err instanceof DatasetError && err.code === 'DATASET_SPLIT_MISSING')
      return loadDataset(data, { split: 'val', policy: 'skip', limit });
    throw err;
  }
}

export const quantizeCommand: CliCommand = {
  name: 'quantize',
  summary: 'post-training INT8 (QDQ) with calibrated ranges and optional accuracy control',
  usage,
  async run(args) {
    const { flags, positionals } = parseFlags(
      args,
      {
        out: { type: 'string' },
        data: { type: 'string' },
        split: { type: 'string' },
        images: { type: 'string' },
        imgsz: { type: 'string' },
        observer: { type: 'string' },
        activations: { type: 'string' },
        'keep-float': { type: 'string' },
        'max-drop': { type: 'string' },
        json: { type: 'boolean' },
      },
      schema,
    );
    if (positionals.length !== 1)
      throw new CliUsageError(`expected one MODEL argument, got ${positionals.length}\n${usage}`);
    const model = decodeModel(readFileSync(positionals[0]!));
    const imgsz = flags.imgsz ?? imageInputSize(model) ?? 640;
    const data = flags.data ?? bccdRoot();
    const count = flags.images ?? 64;
    const loaded = await calibrationSplit(data, flags.split, count);
    const files = loaded.dataset.images.map((im) => loaded.resolveImage(im.file));
    const log = (line: string) => (flags.json ? console.error(line) : console.log(line));
    log(
      `calibrating on ${files.length} images of ${data} split '${String(loaded.split)}' at ${imgsz} px, observer ${flags.observer}`,
    );
    const images = await letterboxAll(files, imgsz);
    const result = await quantizeDetector(model, images, {
      observer: flags.observer as (typeof OBSERVER_KINDS)[number],
      activationType: flags.activations,
      keepFloat: flags['keep-float']?.split(',').filter(Boolean),
      ...(flags['max-drop'] === undefined
        ? {}
        : {
            accuracy: {
              maxDropPoints: flags['max-drop'],
              data,
              split: loaded.split,
              images: count,
              imgsz,
              onProgress: log,
            },
          }),
    });
    writeFileSync(flags.out, encodeModel(result.model));
    const summary = {
      out: flags.out,
      quantized_nodes: result.quantizedNodes,
      float_nodes: result.floatNodes.length,
      ...(result.accuracy
        ? {
            float_map50_95: result.accuracy.floatMap,
            all_int8_map50_95: result.accuracy.allInt8Map,
            map50_95: result.accuracy.finalMap,
            kept_float_layers: result.accuracy.keptLayers,
            within_budget: result.accuracy.withinBudget,
          }
        : {}),
    };
    if (flags.json) console.log(JSON.stringify(summary));
    else {
      console.log(
        `wrote ${flags.out}: ${result.quantizedNodes} nodes int8, ${result.floatNodes.length} float (decode path${result.accuracy?.keptLayers.length ? ` + ${result.accuracy.keptLayers.length} layers kept by accuracy control` : ''})`,
      );
      if (result.accuracy)
        console.log(
          `mAP50-95 on the calibration split: float ${result.accuracy.floatMap.toFixed(4)}, all int8 ${result.accuracy.allInt8Map.toFixed(4)}, delivered ${result.accuracy.finalMap.toFixed(4)}${result.accuracy.withinBudget ? '' : ' (budget not met with every layer tried)'}`,
        );
    }
    return 0;
  },
};
