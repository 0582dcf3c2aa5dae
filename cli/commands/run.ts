import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { connectClient, queryProgress, startCompression } from '../../clients';
import type { CompressModelInput } from '../../common/compress-input';
import type { CompressModelResult, CompressProgress } from '../../common/compress-result';
import {
  S3ArtifactStore,
  createS3Client,
  uploadDatasetFolder,
  uploadModelFile,
} from '../../runtime/artifacts';
import { loadConfig } from '../../runtime/config';
import { parseFlags } from '../args';
import type { CliCommand } from '../command';
import { positiveInt } from './flags';

const ratioFlag = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!(n > 0 && n < 1)) {
        ctx.addIssue({ code: 'custom', message: `${name} must be in (0, 1), got '${v}'` });
        return z.NEVER;
      }
      return n;
    });

const flagsSchema = z.object({
  model: z.string({ message: '--model FILE|s3://... is required' }),
  data: z.string({ message: '--data DIR|s3://... is required' }),
  planner: z.enum(['staged', 'uniform', 'sensitivity']).default('staged'),
  'target-flops': ratioFlag('--target-flops'),
  'target-params': ratioFlag('--target-params'),
  'target-latency': z.coerce
    .number({ message: '--target-latency must be a number of ms' })
    .positive()
    .optional(),
  ratio: ratioFlag('--ratio'),
  criterion: z.string().default('l1'),
  granularity: z.enum(['channel', 'layer', 'module']).default('channel'),
  epochs: z
    .string()
    .default('10')
    .transform((v) => Number(v))
    .pipe(z.number().int().min(0)),
  'max-steps': positiveInt('--max-steps'),
  imgsz: positiveInt('--imgsz'),
  'eval-images': positiveInt('--eval-images'),
  'no-labels': z.boolean().default(false),
  'require-approval': z.boolean().default(false),
  'workflow-id': z.string().optional(),
  wait: z.boolean().default(false),
  json: z.boolean().default(false),
});

const options = {
  model: { type: 'string' },
  data: { type: 'string' },
  planner: { type: 'string' },
  'target-flops': { type: 'string' },
  'target-params': { type: 'string' },
  'target-latency': { type: 'string' },
  ratio: { type: 'string' },
  criterion: { type: 'string' },
  granularity: { type: 'string' },
  epochs: { type: 'string' },
  'max-steps': { type: 'string' },
  imgsz: { type: 'string' },
  'eval-images': { type: 'string' },
  'no-labels': { type: 'boolean' },
  'require-approval': { type: 'boolean' },
  'workflow-id': { type: 'string' },
  wait: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export function progressLine(p: CompressProgress): string {
  const width = 30;
  const filled = Math.round((p.percent / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(p.percent).padStart(3)}% ${p.stage}: ${p.message}`;
}

export function resultTable(r: CompressModelResult): string {
  const rows: [string, (m: CompressModelResult['before']) => string][] = [
    ['params', (m) => m.params.toLocaleString('en-US')],
    ['GFLOPs', (m) => (m.flops / 1e9).toFixed(3)],
    ['CPU latency ms', (m) => m.latency_ms.toFixed(1)],
    ['mAP50-95', (m) => m.map50_95.toFixed(4)],
    ['mAP50', (m) => m.map50.toFixed(4)],
  ];
  const cols = [r.before, r.pruned, r.after].filter(
    (m): m is CompressModelResult['before'] => m !== undefined,
  );
  const header = ['', 'before', ...(r.pruned ? ['pruned'] : []), 'after'];
  const lines = [header, ...rows.map(([name, f]) => [name, ...cols.map(f)])];
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines
    .map((l) => l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
    .join('\n');
}

/** Uploads local inputs (files/folders) and returns the S3 URIs the workflow takes. */
export async function resolveInputs(model: string, data: string): Promise<{ model: string; data: string }> {
  if (model.startsWith('s3://') && data.startsWith('s3://')) return { model, data };
  const config = loadConfig();
  const s3 = createS3Client(config.s3);
  const store = new S3ArtifactStore(s3, config.s3.bucket);
  try {
    return {
      model: model.startsWith('s3://') ? model : await uploadModelFile(store, model),
      data: data.startsWith('s3://') ? data : await uploadDatasetFolder(store, data),
    };
  } finally {
    s3.destroy();
  }
}

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'start compressModel on a model and dataset (uploads local inputs first)',
  usage: [
    'usage: stageprune run --model FILE|s3://… --data DIR|s3://… [--planner staged|uniform|sensitivity]',
    '                      [--target-flops 0.5] [--target-params R] [--target-latency MS] [--ratio R]',
    '                      [--criterion l1] [--granularity channel|layer|module] [--epochs N] [--max-steps N]',
    '                      [--imgsz N] [--eval-images N] [--no-labels] [--require-approval]',
    '                      [--workflow-id ID] [--wait] [--json]',
  ].join('\n'),
  async run(args) {
    const { flags: f } = parseFlags(args, options, flagsSchema);
    if (!f.model.startsWith('s3://') && !fs.existsSync(f.model))
      throw new Error(`--model: ${f.model} not found`);
    const uris = await resolveInputs(f.model, f.data);
    const planner: CompressModelInput['planner'] =
      f.planner === 'uniform'
        ? { kind: 'uniform', ratio: f.ratio ?? 0.3 }
        : f.planner === 'sensitivity'
          ? { kind: 'sensitivity' }
          : { kind: 'staged' };
    const input: CompressModelInput = {
      model: uris.model,
      // An uploaded file is stored under its hash: keep its own name for search attributes and the report.
      ...(f.model.startsWith('s3://') ? {} : { modelName: path.basename(f.model).replace(/\.onnx$/i, '') }),
      data: uris.data,
      planner,
      criterion: f.criterion as CompressModelInput['criterion'],
      granularity: f.granularity,
      target: {
        ...(f['target-flops'] ? { flopsReduction: f['target-flops'] } : {}),
        ...(f['target-params'] ? { paramsReduction: f['target-params'] } : {}),
        ...(f['target-latency'] ? { latencyMs: f['target-latency'] } : {}),
      },
      finetune: {
        epochs: f.epochs,
        labels: !f['no-labels'],
        ...(f['max-steps'] ? { maxSteps: f['max-steps'] } : {}),
        ...(f.imgsz ? { imgsz: f.imgsz } : {}),
      },
      evaluation: {
        ...(f.imgsz ? { imgsz: f.imgsz } : {}),
        ...(f['eval-images'] ? { maxImages: f['eval-images'] } : {}),
      },
      requireApproval: f['require-approval'],
    };
    const config = loadConfig();
    const { client, close } = await connectClient(config);
    try {
      const handle = await startCompression(client, input, {
        workflowId: f['workflow-id'],
        taskQueue: config.taskQueues.cpu,
      });
      if (!f.wait) {
        console.log(f.json ? JSON.stringify({ run_id: handle.workflowId }) : `started ${handle.workflowId}`);
        return 0;
      }
      const result = await waitWithProgress(handle, !f.json);
      console.log(
        f.json
          ? JSON.stringify({ run_id: result.runId, before: result.before, after: result.after })
          : resultTable(result),
      );
      return 0;
    } finally {
      await close();
    }
  },
};

/** Polls the `progress` query onto stderr until the run ends. */
export async function waitWithProgress(
  handle: Awaited<ReturnType<typeof startCompression>>,
  show: boolean,
): Promise<CompressModelResult> {
  let last = '';
  const timer = setInterval(() => {
    queryProgress(handle).then(
      (p) => {
        const line = progressLine(p);
        if (show && line !== last) process.stderr.write(`\r${line.padEnd(last.length)}`);
        last = line;
      },
      () => undefined,
    );
  }, 1000);
  try {
    return await handle.result();
  } finally {
    clearInterval(timer);
    if (show && last) process.stderr.write('\n');
  }
}
