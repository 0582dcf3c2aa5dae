import { z } from 'zod';
import type { CliCommand } from '../command';
import { CliUsageError, parseFlags } from '../args';
import { exportDeployForm } from '../../core/export';
import { computeStats, statsJson, type ModelStats } from '../../core/stats';
import { buildYolo, parseArch, yoloSpec } from '../../core/yolo';
import { readModelFile, writeModelFile } from '../../runtime/onnx-file';

const usage = `usage:
  stageprune model build --arch ARCH [--nc 80] [--imgsz 640] [--seed 0] [--dynamic] --out FILE
      train-form ONNX (Conv → BatchNormalization → SiLU) with ultralytics export names; ARCH is
      yolov8{n,s,m,l,x}, yolo11{n,s,m,l,x} or yolov5{n,s,m,l,x}u; --dynamic: batch and image size
      dynamic, as ultralytics' export(dynamic=True)
  stageprune model stats FILE [--deploy] [--json] [--imgsz N]
      parameters and FLOPs (ultralytics conventions) in total, per stage and per module, of the file as
      it stands; --deploy counts it as \`model export\` ships it (BN folded: no BN FLOPs, a bias instead
      of γ, β). Compare two models only in one form: use --deploy for both
  stageprune model export FILE --out FILE2 [--fp16] [--names A,B,C]
      deploy-form ONNX: BN folded, optional fp16, ultralytics-compatible metadata; --names states the
      class names (index order) ultralytics labels predictions with`;

const intFlag = (name: string, fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return fallback;
      if (!/^\d+$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a non-negative integer, got '${v}'` });
        return z.NEVER;
      }
      return Number(v);
    });

/** Reads a model, printing to stderr anything the decoder could not represent. */
function readModel(file: string) {
  const model = readModelFile(file);
  for (const w of model.decodeWarnings ?? []) console.error(`warning: ${file}: ${w}`);
  return model;
}

function onePositional(positionals: string[], what: string): string {
  if (positionals.length !== 1)
    throw new CliUsageError(`expected exactly one ${what}, got ${positionals.length}`);
  return positionals[0]!;
}

function build(args: string[]): number {
  const { flags, positionals } = parseFlags(
    args,
    {
      arch: { type: 'string' },
      nc: { type: 'string' },
      imgsz: { type: 'string' },
      seed: { type: 'string' },
      dynamic: { type: 'boolean' },
      out: { type: 'string' },
    },
    z.object({
      arch: z.string({ message: 'is required' }),
      nc: intFlag('nc', 80),
      imgsz: intFlag('imgsz', 640),
      seed: intFlag('seed', 0),
      dynamic: z.boolean().default(false),
      out: z.string({ message: 'is required' }).min(1),
    }),
  );
  if (positionals.length > 0) throw new CliUsageError(`unexpected argument '${positionals[0]}'`);
  const { family, size } = parseArch(flags.arch);
  const spec = yoloSpec(family, size, { nc: flags.nc, imgsz: flags.imgsz });
  const model = buildYolo(spec, { seed: flags.seed, dynamic: flags.dynamic });
  const bytes = writeModelFile(flags.out, model);
  const stats = computeStats(model);
  console.log(
    `wrote ${flags.out} (${bytes} bytes): ${flags.arch} nc=${spec.nc} imgsz=${spec.imgsz}, ${stats.params} parameters, ${(stats.flops / 1e9).toFixed(2)} GFLOPs (train form, as built)`,
  );
  return 0;
}

/** Which form the figures are in, and, for a file counted as given, what its deploy form would count. */
function formLine(s: ModelStats, deploy: ModelStats | undefined): string {
  if (s.form === 'deploy')
    return `deploy form: ${s.foldedBatchNorms} BatchNormalization counted as folded into their Conv`;
  if (!deploy || deploy.foldedBatchNorms === 0)
    return 'as given (nothing to fold: the same in the deploy form)';
  return (
    `as given (train form: ${deploy.foldedBatchNorms} BatchNormalization a deploy export folds); ` +
    `deploy form (--deploy): ${deploy.params} params, ${(deploy.flops / 1e9).toFixed(4)} GFLOPs`
  );
}

function formatStats(file: string, s: ModelStats, deploy?: ModelStats): string {
  const row = (name: string, p: number, f: number) =>
    `${name.padEnd(10)} ${String(p).padStart(12)} ${(f / 1e9).toFixed(4).padStart(10)}`;
  return [
    `${file}: input [${s.inputShape.join(', ')}]; ${formLine(s, deploy)}`,
    `${'module'.padEnd(10)} ${'params'.padStart(12)} ${'GFLOPs'.padStart(10)}`,
    ...s.modules.map((m) => row(String(m.index), m.params, m.flops)),
    ...(s.unattributed.params || s.unattributed.flops
      ? [row('(other)', s.unattributed.params, s.unattributed.flops)]
      : []),
    ...Object.entries(s.stages).map(([k, v]) => row(k, v.params, v.flops)),
    row('total', s.params, s.flops),
    ...s.unknownNodes.map(
      (n) => `unknown op (kept, not costed): ${n.domain ? n.domain + '.' : ''}${n.opType} '${n.name}'`,
    ),
    ...(s.uncosted.length > 0
      ? [
          `FLOPs are a lower bound: ${s.uncosted.length} node(s) behind an unknown op have no known shape ` +
            `(${s.uncosted
              .slice(0, 3)
              .map((u) => `${u.node}${u.after ? ` after ${u.after}` : ''}`)
              .join('; ')}` +
            `${s.uncosted.length > 3 ? '; ...' : ''}); their parameters are counted`,
        ]
      : []),
  ].join('\n');
}

function stats(args: string[]): number {
  const { flags, positionals } = parseFlags(
    args,
    { json: { type: 'boolean' }, imgsz: { type: 'string' }, deploy: { type: 'boolean' } },
    z.object({
      json: z.boolean().optional(),
      deploy: z.boolean().optional(),
      imgsz: z.string().regex(/^\d+$/, 'must be an integer').optional(),
    }),
  );
  const file = onePositional(positionals, 'model file');
  const model = readModel(file);
  const imgsz = flags.imgsz ? { imgsz: Number(flags.imgsz) } : {};
  const s = computeStats(model, { ...imgsz, form: flags.deploy ? 'deploy' : 'as-given' });
  if (flags.json) {
    console.log(JSON.stringify(statsJson(s)));
  } else {
    console.log(
      formatStats(file, s, flags.deploy ? undefined : computeStats(model, { ...imgsz, form: 'deploy' })),
    );
  }
  return 0;
}

function exportModel(args: string[]): number {
  const { flags, positionals } = parseFlags(
    args,
    { out: { type: 'string' }, fp16: { type: 'boolean' }, names: { type: 'string' } },
    z.object({
      out: z.string({ message: 'is required' }).min(1),
      fp16: z.boolean().optional(),
      names: z
        .string()
        .transform((s) => s.split(',').map((n) => n.trim()))
        .refine((l) => l.every((n) => n.length > 0), { message: 'must be comma-separated, non-empty names' })
        .optional(),
    }),
  );
  const file = onePositional(positionals, 'model file');
  const { model, report } = exportDeployForm(readModel(file), {
    fp16: flags.fp16 === true,
    ...(flags.names ? { names: flags.names } : {}),
  });
  const bytes = writeModelFile(flags.out, model);
  console.log(
    `wrote ${flags.out} (${bytes} bytes): ${report.folded.length} BatchNormalization folded${flags.fp16 ? ', fp16' : ''}`,
  );
  for (const k of report.kept) console.log(`  kept ${k.name}: ${k.reason}`);
  return 0;
}

export const modelCommand: CliCommand = {
  name: 'model',
  summary: 'build YOLOv8 models, print their parameters/FLOPs, export deploy-form ONNX',
  usage,
  async run(args) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'build':
        return build(rest);
      case 'stats':
        return stats(rest);
      case 'export':
        return exportModel(rest);
      default:
        throw new CliUsageError(`unknown subcommand '${sub ?? ''}' (build, stats or export)\n${usage}`);
    }
  },
};
