import { z } from 'zod';
import type { CliCommand } from '../command';
import { CliUsageError, parseFlags } from '../args';
import { bccdRoot } from '../../runtime/datasets';
import { evaluateModel, type EvaluationResult } from '../../runtime/evaluate';
import { epFlag, positiveInt } from './flags';

const usage = `usage: stageprune eval MODEL [--data DIR] [--split test] [--imgsz 640] [--batch N] [--ep cpu|cuda]
                       [--threads N] [--on-bad-label skip|fail] [--json]
  COCO mAP of a YOLOv8-style ONNX detector on a dataset split (VOC, YOLO or COCO layout), with
  ultralytics' validation preprocessing and NMS (conf 0.001, IoU 0.7, 300 detections).
  --data defaults to BCCD (datasets/bccd in the repository; STAGEPRUNE_BCCD overrides). Bad labels are
  skipped and counted by default; --on-bad-label fail stops at the first one, naming the file.
  --json prints {"map50_95", "map50", "map75", "per_class", "images", "skipped_labels", "seconds", "images_per_s"}.`;

const schema = z.object({
  data: z.string().min(1).optional(),
  split: z.string().min(1).default('test'),
  imgsz: positiveInt('imgsz'),
  batch: positiveInt('batch'),
  ep: epFlag,
  threads: positiveInt('threads'),
  'on-bad-label': z.enum(['skip', 'fail'], { message: "must be 'skip' or 'fail'" }).default('skip'),
  json: z.boolean().default(false),
});

/** The JSON the verb prints (the issue's contract; keep keys stable). */
export function evalJson(r: EvaluationResult): Record<string, unknown> {
  return {
    map50_95: r.metrics.map50_95,
    map50: r.metrics.map50,
    map75: r.metrics.map75,
    per_class: Object.fromEntries(r.classNames.map((n, k) => [n, r.metrics.perClassAp[k] ?? null])),
    images: r.images,
    skipped_labels: r.skippedLabels,
    seconds: r.seconds,
    images_per_s: r.imagesPerS,
  };
}

function reportIssues(r: EvaluationResult): void {
  if (r.issues.length === 0) return;
  const byKind = new Map<string, number>();
  for (const i of r.issues) byKind.set(i.kind, (byKind.get(i.kind) ?? 0) + 1);
  console.error(`skipped: ${[...byKind].map(([k, n]) => `${n} ${k}`).join(', ')}`);
  for (const i of r.issues.slice(0, 10)) console.error(`  ${i.file}: ${i.message}`);
  if (r.issues.length > 10) console.error(`  ... and ${r.issues.length - 10} more`);
}

function formatHuman(r: EvaluationResult): string {
  const pct = (v: number | null) => (v === null || v < 0 ? '   n/a' : (100 * v).toFixed(2).padStart(6));
  const width = Math.max(5, ...r.classNames.map((n) => n.length));
  return [
    `images ${r.images} (skipped ${r.skippedImages} images, ${r.skippedLabels} labels), imgsz ${r.imgsz}, batch ${r.batch}, classes by ${r.classSource}`,
    `${'class'.padEnd(width)}  AP50-95    AP50`,
    ...r.classNames.map(
      (n, k) =>
        `${n.padEnd(width)}  ${pct(r.metrics.perClassAp[k] ?? null)}  ${pct(r.metrics.perClassAp50[k] ?? null)}`,
    ),
    `${'all'.padEnd(width)}  ${pct(r.metrics.map50_95)}  ${pct(r.metrics.map50)}   (AP75 ${pct(r.metrics.map75).trim()}, AR100 ${pct(r.metrics.ar100).trim()})`,
    `${r.seconds.toFixed(2)} s, ${r.imagesPerS.toFixed(2)} images/s (inference ${(r.timings.inferenceMs / 1000).toFixed(2)} s)`,
  ].join('\n');
}

export const evalCommand: CliCommand = {
  name: 'eval',
  summary: 'COCO mAP of an ONNX detector on a dataset split (pycocotools-equal metrics)',
  usage,
  async run(args) {
    const { flags, positionals } = parseFlags(
      args,
      {
        data: { type: 'string' },
        split: { type: 'string' },
        imgsz: { type: 'string' },
        batch: { type: 'string' },
        ep: { type: 'string' },
        threads: { type: 'string' },
        'on-bad-label': { type: 'string' },
        json: { type: 'boolean' },
      },
      schema,
    );
    if (positionals.length !== 1)
      throw new CliUsageError(`expected one MODEL argument, got ${positionals.length}\n${usage}`);
    const result = await evaluateModel({
      model: positionals[0]!,
      data: flags.data ?? bccdRoot(),
      split: flags.split,
      ...(flags.imgsz === undefined ? {} : { imgsz: flags.imgsz }),
      ...(flags.batch === undefined ? {} : { batch: flags.batch }),
      session: {
        ep: flags.ep,
        graphOptimizationLevel: 'all',
        ...(flags.threads ? { intraOpThreads: flags.threads } : {}),
      },
      policy: flags['on-bad-label'],
    });
    reportIssues(result);
    console.log(flags.json ? JSON.stringify(evalJson(result)) : formatHuman(result));
    return 0;
  },
};
