import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { connectClient, startCompression } from '../../clients';
import {
  CRITERION_NAMES,
  GRANULARITIES,
  compressModelInputSchema,
  type CompressModelInput,
  type CompressModelOptions,
} from '../../common/compress-input';
import { OBSERVER_KINDS, type ObserverKind } from '../../core/quantize/observers';
import type { CompressModelResult } from '../../common/compress-result';
import { reportHtmlUri } from '../../common/report-location';
import {
  S3ArtifactStore,
  createS3Client,
  uploadDatasetFolder,
  uploadModelFile,
} from '../../runtime/artifacts';
import { loadConfig, type StagepruneConfig } from '../../runtime/config';
import { CliUsageError, parseFlags } from '../args';
import type { CliCommand } from '../command';
import { printRunFailure } from '../run-failure';
import { runUiUrl } from '../run-ui-url';
import { waitWithProgress } from '../wait-with-progress';
import { positiveInt } from './flags';
import { checkLocalSplits, splitLines } from './run-splits';
import { formatBytes, stderrUploadReporter, type UploadReporter } from './upload-progress';

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
  model: z.string({ message: 'required: an ONNX file or s3://bucket/key' }),
  data: z.string({ message: 'required: a dataset folder or s3://bucket/prefix/' }),
  planner: z
    .enum(['staged', 'uniform', 'sensitivity', 'amc', 'netadapt'], {
      message: 'must be one of staged, uniform, sensitivity, amc, netadapt',
    })
    .default('staged'),
  'target-flops': ratioFlag('--target-flops'),
  'target-params': ratioFlag('--target-params'),
  'target-latency': z.coerce
    .number({ message: '--target-latency must be a number of ms' })
    .positive()
    .optional(),
  ratio: ratioFlag('--ratio'),
  'latency-reduction': ratioFlag('--latency-reduction'),
  seed: z.string().regex(/^\d+$/, 'must be a non-negative integer').transform(Number).optional(),
  'cwd-tau': z.coerce.number({ message: 'must be a number' }).positive().optional(),
  'cwd-weight': z.coerce.number({ message: 'must be a number' }).nonnegative().optional(),
  'cwd-head': z.coerce.number({ message: 'must be a number' }).nonnegative().optional(),
  lr0: z.coerce.number({ message: 'must be a number' }).positive().max(10).optional(),
  'warmup-bias-lr': z.coerce.number({ message: 'must be a number' }).min(0).max(10).optional(),
  'output-weight': z.coerce.number({ message: 'must be a number' }).min(0).max(1000).optional(),
  'selection-images': z.string().regex(/^\d+$/, 'must be a positive integer').transform(Number).optional(),
  splits: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const out: Record<string, string> = {};
      for (const part of v.split(',')) {
        const m = /^(selection|finetune|evaluation)=([\w.+-]+)$/.exec(part.trim());
        if (!m) {
          ctx.addIssue({
            code: 'custom',
            message: `expected selection=S,finetune=S,evaluation=S, got '${part}'`,
          });
          return z.NEVER;
        }
        out[m[1]!] = m[2]!;
      }
      return out as { selection?: string; finetune?: string; evaluation?: string };
    }),
  criterion: z
    .enum(CRITERION_NAMES, { message: `must be one of ${CRITERION_NAMES.join(', ')}` })
    .default('l1'),
  granularity: z
    .enum(GRANULARITIES, { message: `must be one of ${GRANULARITIES.join(', ')}` })
    .default('module'),
  'planner-options': z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch {
        parsed = undefined;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || 'kind' in parsed) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a JSON object of the planner's options (without kind), got '${v}'`,
        });
        return z.NEVER;
      }
      return parsed as Record<string, unknown>;
    }),
  steps: positiveInt('--steps'),
  episodes: positiveInt('--episodes'),
  'step-epochs': z.string().regex(/^\d+$/, 'must be a non-negative integer').transform(Number).optional(),
  sparsify: positiveInt('--sparsify'),
  'sparsify-l1': z.coerce.number({ message: 'must be a number' }).positive().optional(),
  quantize: z.enum(['int8'], { message: "must be 'int8'" }).optional(),
  'quant-observer': z.enum(OBSERVER_KINDS as [ObserverKind, ...ObserverKind[]]).optional(),
  'quant-max-drop': z.coerce.number({ message: 'must be a number' }).min(0).optional(),
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
  verbose: z.boolean().default(false),
});

const options = {
  model: { type: 'string' },
  data: { type: 'string' },
  planner: { type: 'string' },
  'planner-options': { type: 'string' },
  'target-flops': { type: 'string' },
  'target-params': { type: 'string' },
  'target-latency': { type: 'string' },
  ratio: { type: 'string' },
  'latency-reduction': { type: 'string' },
  seed: { type: 'string' },
  'cwd-tau': { type: 'string' },
  'cwd-weight': { type: 'string' },
  'cwd-head': { type: 'string' },
  lr0: { type: 'string' },
  'warmup-bias-lr': { type: 'string' },
  'output-weight': { type: 'string' },
  splits: { type: 'string' },
  'selection-images': { type: 'string' },
  criterion: { type: 'string' },
  granularity: { type: 'string' },
  steps: { type: 'string' },
  episodes: { type: 'string' },
  'step-epochs': { type: 'string' },
  sparsify: { type: 'string' },
  'sparsify-l1': { type: 'string' },
  quantize: { type: 'string' },
  'quant-observer': { type: 'string' },
  'quant-max-drop': { type: 'string' },
  epochs: { type: 'string' },
  'max-steps': { type: 'string' },
  imgsz: { type: 'string' },
  'eval-images': { type: 'string' },
  'no-labels': { type: 'boolean' },
  'require-approval': { type: 'boolean' },
  'workflow-id': { type: 'string' },
  wait: { type: 'boolean' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
} as const;

export function resultTable(r: CompressModelResult): string {
  const rows: [string, (m: CompressModelResult['before']) => string][] = [
    // Every column is counted in the deploy form (evaluateModel folds BN first), the train-form "before" too.
    ['params (deploy form)', (m) => m.params.toLocaleString('en-US')],
    ['GFLOPs (deploy form, BN folded)', (m) => (m.flops / 1e9).toFixed(3)],
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

type RunFlags = z.output<typeof flagsSchema>;

/** `run`'s flags, parsed and checked one by one (not yet against the workflow's input schema). */
export const parseRunFlags = (args: string[]): RunFlags => parseFlags(args, options, flagsSchema).flags;

const isS3 = (v: string) => v.startsWith('s3://');

/**
 * Uploads local inputs (files/folders) and returns the S3 URIs the workflow takes, reporting each upload
 * (the dataset file by file) so a long upload is not silent.
 */
export async function resolveInputs(
  model: string,
  data: string,
  report?: UploadReporter,
): Promise<{ model: string; data: string }> {
  if (isS3(model) && isS3(data)) return { model, data };
  const config = loadConfig();
  const s3 = createS3Client(config.s3);
  const store = new S3ArtifactStore(s3, config.s3.bucket);
  try {
    let modelUri = model;
    if (!isS3(model)) {
      const size = fs.statSync(model, { throwIfNoEntry: false })?.size;
      report?.line(`model: uploading ${model}${size === undefined ? '' : ` (${formatBytes(size)})`}`);
      modelUri = await uploadModelFile(store, model);
      report?.line(`model: ${modelUri}`);
    }
    const dataUri = isS3(data) ? data : await uploadDatasetFolder(store, data, report?.dataset(data));
    return { model: modelUri, data: dataUri };
  } finally {
    s3.destroy();
  }
}

/** The input's fields → the flag (or environment variable) a user sets them with, for error messages. */
const FLAG_OF: [path: string, flag: string][] = [
  ['modelName', '--model'],
  ['model', '--model'],
  ['data', '--data'],
  ['planner.ratio', '--ratio'],
  ['planner.episodes', '--episodes'],
  ['planner.latencyReduction', '--latency-reduction'],
  ['splits.selectionImages', '--selection-images'],
  ['splits', '--splits'],
  ['planner', '--planner'],
  ['criterion', '--criterion'],
  ['granularity', '--granularity'],
  ['schedule.steps', '--steps'],
  ['schedule.finetuneEpochs', '--step-epochs'],
  ['sparsify.epochs', '--sparsify'],
  ['sparsify.l1', '--sparsify-l1'],
  ['quantize.observer', '--quant-observer'],
  ['quantize.maxDropPoints', '--quant-max-drop'],
  ['quantize', '--quantize'],
  ['target.flopsReduction', '--target-flops'],
  ['target.paramsReduction', '--target-params'],
  ['target.latencyMs', '--target-latency'],
  ['finetune.epochs', '--epochs'],
  ['finetune.seed', '--seed'],
  ['finetune.cwdTau', '--cwd-tau'],
  ['finetune.cwdWeight', '--cwd-weight'],
  ['finetune.cwdHeadWeight', '--cwd-head'],
  ['finetune.lr0', '--lr0'],
  ['finetune.warmupBiasLr', '--warmup-bias-lr'],
  ['finetune.outputWeight', '--output-weight'],
  ['finetune.maxSteps', '--max-steps'],
  ['finetune.imgsz', '--imgsz'],
  ['evaluation.imgsz', '--imgsz'],
  ['evaluation.maxImages', '--eval-images'],
  ['finetune.labels', '--no-labels'],
  ['requireApproval', '--require-approval'],
  ['taskQueues.cpu', 'STAGEPRUNE_CPU_QUEUE'],
  ['taskQueues.gpu', 'STAGEPRUNE_GPU_QUEUE'],
];

function flagOf(issuePath: PropertyKey[]): string {
  const key = issuePath.map(String).join('.');
  return FLAG_OF.find(([p]) => key === p || key.startsWith(`${p}.`))?.[1] ?? `input ${key || '(root)'}`;
}

/** The workflow input the flags describe, with the given model and data URIs. */
export function inputFromFlags(
  f: RunFlags,
  uris: { model: string; data: string },
  config: Pick<StagepruneConfig, 'taskQueues'>,
): CompressModelInput {
  const planner: CompressModelInput['planner'] =
    f.planner === 'uniform'
      ? { kind: 'uniform', ratio: f.ratio ?? 0.3 }
      : f.planner === 'sensitivity'
        ? { kind: 'sensitivity' }
        : f.planner === 'amc'
          ? { kind: 'amc', ...(f.episodes ? { episodes: f.episodes } : {}) }
          : f.planner === 'netadapt'
            ? {
                kind: 'netadapt',
                ...(f['latency-reduction'] ? { latencyReduction: f['latency-reduction'] } : {}),
              }
            : { kind: 'staged' };
  // --planner-options sets any option of the chosen planner's schema (kind excluded), e.g. NetAdapt's proposals.
  Object.assign(planner, f['planner-options'] ?? {});
  return {
    model: uris.model,
    // An uploaded file is stored under its hash: keep its own name for search attributes and the report.
    ...(isS3(f.model) ? {} : { modelName: path.basename(f.model).replace(/\.onnx$/i, '') }),
    data: uris.data,
    planner,
    criterion: f.criterion,
    granularity: f.granularity,
    ...(f.splits || f['selection-images'] !== undefined
      ? {
          splits: {
            ...f.splits,
            ...(f['selection-images'] !== undefined ? { selectionImages: f['selection-images'] } : {}),
          },
        }
      : {}),
    ...(f.steps || f['step-epochs'] !== undefined
      ? {
          schedule: {
            ...(f.steps ? { steps: f.steps } : {}),
            ...(f['step-epochs'] !== undefined ? { finetuneEpochs: f['step-epochs'] } : {}),
          },
        }
      : {}),
    ...(f.quantize
      ? {
          quantize: {
            format: f.quantize,
            ...(f['quant-observer'] ? { observer: f['quant-observer'] } : {}),
            ...(f['quant-max-drop'] !== undefined ? { maxDropPoints: f['quant-max-drop'] } : {}),
          },
        }
      : {}),
    ...(f.sparsify || f['sparsify-l1']
      ? {
          sparsify: {
            ...(f.sparsify ? { epochs: f.sparsify } : {}),
            ...(f['sparsify-l1'] ? { l1: f['sparsify-l1'] } : {}),
          },
        }
      : {}),
    target: {
      ...(f['target-flops'] ? { flopsReduction: f['target-flops'] } : {}),
      ...(f['target-params'] ? { paramsReduction: f['target-params'] } : {}),
      ...(f['target-latency'] ? { latencyMs: f['target-latency'] } : {}),
    },
    finetune: {
      epochs: f.epochs,
      labels: !f['no-labels'],
      ...(f['max-steps'] ? { maxSteps: f['max-steps'] } : {}),
      ...(f.seed !== undefined ? { seed: f.seed } : {}),
      ...(f['cwd-tau'] !== undefined ? { cwdTau: f['cwd-tau'] } : {}),
      ...(f['cwd-weight'] !== undefined ? { cwdWeight: f['cwd-weight'] } : {}),
      ...(f['cwd-head'] !== undefined ? { cwdHeadWeight: f['cwd-head'] } : {}),
      ...(f.lr0 !== undefined ? { lr0: f.lr0 } : {}),
      ...(f['warmup-bias-lr'] !== undefined ? { warmupBiasLr: f['warmup-bias-lr'] } : {}),
      ...(f['output-weight'] !== undefined ? { outputWeight: f['output-weight'] } : {}),
      ...(f.imgsz ? { imgsz: f.imgsz } : {}),
    },
    evaluation: {
      ...(f.imgsz ? { imgsz: f.imgsz } : {}),
      ...(f['eval-images'] ? { maxImages: f['eval-images'] } : {}),
    },
    requireApproval: f['require-approval'],
    // Training and evaluation go to the configured gpu queue, graph work to the cpu queue.
    taskQueues: { cpu: config.taskQueues.cpu, gpu: config.taskQueues.gpu },
  };
}

/**
 * Everything `run` can check before it uploads or connects: local paths exist, and the input the flags
 * describe passes the workflow's own schema (local paths stand in as placeholder S3 URIs). Each problem is
 * one line naming its flag.
 */
export function checkRunInput(f: RunFlags, config: StagepruneConfig): CompressModelOptions {
  if (!isS3(f.model) && !(fs.existsSync(f.model) && fs.statSync(f.model).isFile()))
    throw new CliUsageError(
      `--model: ${f.model || "''"} is not a file (give an ONNX file or s3://bucket/key)`,
    );
  if (!isS3(f.data) && !(fs.existsSync(f.data) && fs.statSync(f.data).isDirectory()))
    throw new CliUsageError(
      `--data: ${f.data || "''"} is not a folder (give a dataset folder or s3://bucket/prefix/)`,
    );
  if (f.episodes && f.planner !== 'amc')
    throw new CliUsageError(`--episodes: only the amc planner runs episodes (--planner is ${f.planner})`);
  const placeholder = `s3://${config.s3.bucket}/local-upload/`;
  const input = inputFromFlags(
    f,
    {
      model: isS3(f.model) ? f.model : `${placeholder}${path.basename(f.model)}`,
      data: isS3(f.data) ? f.data : placeholder,
    },
    config,
  );
  const parsed = compressModelInputSchema.safeParse(input);
  if (!parsed.success) {
    const fromOptions = (p: PropertyKey[]) =>
      p[0] === 'planner' && String(p[1]) in (f['planner-options'] ?? {});
    const lines = parsed.error.issues.map(
      (i) =>
        `${fromOptions(i.path) ? `--planner-options: ${String(i.path[1])}` : flagOf(i.path)}: ${i.message}`,
    );
    throw new CliUsageError([...new Set(lines)].join('; '));
  }
  // The planner schemas drop keys they do not know: a misspelt option must not vanish silently.
  const unknown = Object.keys(f['planner-options'] ?? {}).filter((k) => !(k in parsed.data.planner));
  if (unknown.length)
    throw new CliUsageError(
      `--planner-options: ${unknown.join(', ')} ${unknown.length > 1 ? 'are not options' : 'is not an option'} of the ${f.planner} planner`,
    );
  return parsed.data;
}

/** loadConfig, with a bad environment variable reported as one line instead of a zod stack. */
function loadCliConfig(): StagepruneConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof z.ZodError)) throw err;
    throw new CliUsageError(err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
}

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'start compressModel on a model and dataset (uploads local inputs first)',
  usage: [
    'usage: stageprune run --model FILE|s3://… --data DIR|s3://… [--planner staged|uniform|sensitivity|amc|netadapt]',
    '                      [--planner-options JSON] [--episodes N] [--latency-reduction R] [--splits selection=S,finetune=S,evaluation=S] [--selection-images 64]',
    '                      [--target-flops 0.5] [--target-params R] [--target-latency MS] [--ratio R]',
    `                      [--criterion ${CRITERION_NAMES.join('|')}] [--granularity ${GRANULARITIES.join('|')}]`,
    '                      [--steps N [--step-epochs E]] [--sparsify EPOCHS [--sparsify-l1 L]]',
    `                      [--quantize int8 [--quant-observer ${OBSERVER_KINDS.join('|')}] [--quant-max-drop 0.5]]`,
    '                      [--epochs N] [--max-steps N] [--seed N] [--cwd-tau T] [--cwd-weight W] [--cwd-head W] [--lr0 LR] [--warmup-bias-lr LR]',
    '                      [--imgsz N] [--eval-images N] [--no-labels] [--output-weight W]',
    '                      [--require-approval] [--workflow-id ID] [--wait] [--json] [--verbose]',
    '',
    'Training and evaluation run on STAGEPRUNE_GPU_QUEUE (stageprune-gpu), the rest on STAGEPRUNE_CPU_QUEUE',
    '(stageprune-cpu): run a worker on each. Upload progress goes to stderr. --granularity names the units the',
    'sensitivity planner scans: modules (module), dependency groups (group) or whole blocks to drop (block). --steps',
    'prunes in N steps with --step-epochs of fine-tuning between them; --sparsify runs Network Slimming first.',
    '--quantize int8 adds post-training INT8 of the delivered model (QDQ, calibrated on the selection split, layers',
    'kept in float until mAP50-95 there is within --quant-max-drop points of the float model) and reports both.',
    'Every choice (scans, search rewards, planner checks, hrank) is made on the selection split, which is neither',
    "fine-tuned on nor reported: the data set's `selection` split if it has one, else --selection-images (64)",
    'images held out of the fine-tune split by a seeded hash; runs that choose on no images hold none out.',
    "Unnamed splits: evaluation is test, else val (as ultralytics' val); fine-tune trainval, else train. A local",
    "data set's splits are resolved and read before anything is uploaded; the first lines say which does what.",
    "--planner-options sets any other option of the planner's input schema (docs/compress-model-input.schema.json),",
    'e.g. --planner netadapt --planner-options \'{"proposals":4,"finetuneSteps":10}\'.',
    '--wait redraws a progress line on stderr (stage; epoch, step, loss and ETA of a fine-tune; search episodes;',
    'scan points) and prints the result; a failed run prints one line (its code, the root cause, its Temporal UI',
    'link; --json: {"run_id","status","code","message","where","ui"}) and exits 1; --verbose adds the cause chain.',
  ].join('\n'),
  async run(args) {
    const f = parseRunFlags(args);
    const config = loadCliConfig();
    // Every check comes before the first upload and the connection to Temporal.
    const options = checkRunInput(f, config);
    if (!isS3(f.data))
      for (const line of splitLines(await checkLocalSplits(f.data, options))) console.error(line);
    const uris = await resolveInputs(f.model, f.data, stderrUploadReporter());
    const input = inputFromFlags(f, uris, config);
    const { client, close } = await connectClient(config);
    try {
      const handle = await startCompression(client, input, {
        workflowId: f['workflow-id'],
        taskQueue: config.taskQueues.cpu,
        config,
      });
      if (!f.wait) {
        console.log(f.json ? JSON.stringify({ run_id: handle.workflowId }) : `started ${handle.workflowId}`);
        return 0;
      }
      let result: CompressModelResult;
      try {
        result = await waitWithProgress(handle, !f.json);
      } catch (err) {
        return printRunFailure(err, handle.workflowId, runUiUrl(config, handle.workflowId), f);
      }
      // The last line names the HTML report (writeReport's runs/<id>/report.html), for `stageprune report`.
      const report = reportHtmlUri(config.s3.bucket, result.runId);
      console.log(
        f.json ? JSON.stringify(waitedRunJson(result, report)) : `${resultTable(result)}\nreport: ${report}`,
      );
      return 0;
    } finally {
      await close();
    }
  },
};

/**
 * `run --wait --json`'s line: the whole compressModel result (artifact references, step times, the plan
 * followed), so a service or benchmark needs no second call, with `run_id` and the report's URI.
 */
export function waitedRunJson(result: CompressModelResult, report: string) {
  return { run_id: result.runId, ...result, report };
}
