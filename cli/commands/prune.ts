import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { imageInputSize, type Model } from '../../core/onnx/model';
import { PruneError } from '../../core/pruning/errors';
import { CRITERIA } from '../../core/pruning/importance/criterion';
import { DEFAULT_STAGES, parseStages } from '../../core/pruning/plan/parse-plan';
import { pruneModel, type PruneDeps } from '../../core/pruning/prune-model';
import { computeStats, statsJson } from '../../core/stats';
import { readModelFile } from '../../runtime/onnx-file';
import { onnxActivationRanks } from '../../runtime/pruning/activations';
import { loadCalibrationImages } from '../../runtime/pruning/calibration-images';
import { encodeModel } from '../../core/onnx/encode';
import { checkWithCustomOpLibrary, customOps } from '../../runtime/pruning/custom-op-check';
import { encodeLoadable } from '../../runtime/pruning/loadable';
import { readTaylorScores } from '../../runtime/pruning/taylor-scores';
import { CliUsageError, parseFlags } from '../args';
import type { CliCommand } from '../command';

const stagesText = Object.entries(DEFAULT_STAGES)
  .map(([k, r]) => `${k}=${r}`)
  .join(',');

const usage = `usage:
  stageprune prune IN --out OUT [--criterion ${CRITERIA.join('|')}]
      [--ratio R | --stages ${stagesText} | --plan plan.json] [--round 8] [--min-channels 8]
      [--drop-bottlenecks model.2.m.0,...] [--calib DIR] [--scores taylor.json] [--seed 0]
      [--custom-op-library LIB.so] [--json]
  Structured pruning with dependency groups. Without --ratio/--stages/--plan the staged default
  (${stagesText}) applies. The plan actually applied (with channel lists) is saved as
  OUT's name with .plan.json; replay it with --plan. The output is written only after onnxruntime loads
  it; a model with custom-domain ops is pruned around them and checked only when --custom-op-library
  names the library that implements them (otherwise it is written unchecked, with a warning).
  Parameters and FLOPs before and after are both counted in the deploy form (BN folded, as
  \`model export\` writes it), so a train-form input is compared like for like.`;

const optionalInt = z.string().regex(/^\d+$/, 'must be a non-negative integer').transform(Number).optional();

function planPath(out: string): string {
  return `${out.replace(/\.onnx$/i, '')}.plan.json`;
}

function readPlanFile(file: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new PruneError('PRUNE_PLAN_INVALID', `cannot read plan ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

const inputSize = (model: Model): number => imageInputSize(model) ?? 640;

export const pruneCommand: CliCommand = {
  name: 'prune',
  summary: 'dependency-aware structured pruning (global, staged, per module/layer, or a saved plan)',
  usage,
  async run(args) {
    const { flags, positionals } = parseFlags(
      args,
      {
        out: { type: 'string' },
        criterion: { type: 'string' },
        ratio: { type: 'string' },
        stages: { type: 'string' },
        plan: { type: 'string' },
        round: { type: 'string' },
        'min-channels': { type: 'string' },
        'drop-bottlenecks': { type: 'string' },
        calib: { type: 'string' },
        scores: { type: 'string' },
        seed: { type: 'string' },
        'custom-op-library': { type: 'string' },
        json: { type: 'boolean' },
      },
      z.object({
        out: z.string({ message: 'is required' }).min(1),
        criterion: z.enum(CRITERIA).optional(),
        ratio: z.string().optional(),
        stages: z.string().optional(),
        plan: z.string().optional(),
        round: optionalInt,
        'min-channels': optionalInt,
        'drop-bottlenecks': z.string().optional(),
        calib: z.string().optional(),
        scores: z.string().optional(),
        seed: optionalInt,
        'custom-op-library': z.string().min(1).optional(),
        json: z.boolean().optional(),
      }),
    );
    if (positionals.length !== 1)
      throw new CliUsageError(`expected exactly one input model, got ${positionals.length}\n${usage}`);
    const chosen = [flags.ratio, flags.stages, flags.plan].filter((v) => v !== undefined).length;
    if (chosen > 1) throw new CliUsageError('use only one of --ratio, --stages and --plan');

    const input = positionals[0]!;
    const model = readModelFile(input);
    const plan: Record<string, unknown> = flags.plan ? readPlanFile(flags.plan) : {};
    if (flags.ratio !== undefined)
      plan['global_ratio'] = flags.ratio.trim() === '' ? NaN : Number(flags.ratio);
    else if (flags.stages !== undefined) plan['stages'] = parseStages(flags.stages);
    else if (!flags.plan) plan['stages'] = { ...DEFAULT_STAGES };
    if (flags.criterion) plan['criterion'] = flags.criterion;
    if (flags.round !== undefined) plan['round_to'] = flags.round;
    if (flags['min-channels'] !== undefined) plan['min_channels'] = flags['min-channels'];
    if (flags.seed !== undefined) plan['seed'] = flags.seed;
    if (flags['drop-bottlenecks']) plan['blocks'] = flags['drop-bottlenecks'].split(',').filter(Boolean);

    const criterion = (plan['criterion'] as string | undefined) ?? 'l1';
    const deps: PruneDeps = {
      ...(criterion === 'hrank'
        ? {
            activations: onnxActivationRanks(
              model,
              await loadCalibrationImages(flags.calib, inputSize(model)),
            ),
          }
        : {}),
      ...(criterion === 'taylor' && flags.scores
        ? { taylorScores: await readTaylorScores(flags.scores) }
        : {}),
    };
    const result = await pruneModel(model, plan, deps);
    const custom = customOps(model);
    const library = flags['custom-op-library'];
    let bytes: Uint8Array;
    if (custom.length === 0) bytes = await encodeLoadable(result.model);
    else {
      bytes = encodeModel(result.model);
      if (library) await checkWithCustomOpLibrary(bytes, library);
      else
        console.error(
          `warning: ${input} uses custom ops (${custom.join(', ')}): pruned around them, but onnxruntime ` +
            `cannot load the result without their library, so it was not checked; pass --custom-op-library LIB`,
        );
    }
    const verified = custom.length === 0 || library !== undefined;
    const planFile = planPath(flags.out);
    writeFileSync(flags.out, bytes);
    // One line per channel list keeps a yolov8x plan readable.
    writeFileSync(
      planFile,
      `${JSON.stringify(result.applied, null, 2).replace(/\[[\d,\s]*\]/g, (m) => m.replace(/\s+/g, ''))}\n`,
    );

    // Both sides as the model ships (BN folded): a reduction between two forms would count BN on one side only.
    const before = computeStats(model, { form: 'deploy' });
    const after = computeStats(result.model, { form: 'deploy' });
    const frozen = result.frozen.map((f) => ({
      group: f.group,
      reason: f.reason,
      at: f.at,
      channels: f.channels,
      of: f.of,
    }));
    if (flags.json) {
      console.log(
        JSON.stringify({
          before: statsJson(before),
          after: statsJson(after),
          groups: result.groups,
          frozen,
          plan: planFile,
          verified,
          ...(custom.length > 0 ? { customOps: custom } : {}),
        }),
      );
      return 0;
    }
    const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}%`;
    console.log(`wrote ${flags.out} (${bytes.length} bytes) and ${planFile}`);
    console.log(
      `${result.groups} groups, ${result.removedChannels} channels removed, ${frozen.length} frozen entries`,
    );
    console.log(
      `params ${before.params} → ${after.params} (${pct(after.params, before.params)}), GFLOPs ${(before.flops / 1e9).toFixed(3)} → ${(after.flops / 1e9).toFixed(3)} (${pct(after.flops, before.flops)}); deploy form (BN folded) on both sides`,
    );
    for (const stage of ['backbone', 'neck', 'head'] as const) {
      const b = before.stages[stage];
      const a = after.stages[stage];
      console.log(
        `  ${stage.padEnd(8)} params ${b.params} → ${a.params}, GFLOPs ${(b.flops / 1e9).toFixed(3)} → ${(a.flops / 1e9).toFixed(3)}`,
      );
    }
    for (const f of frozen)
      console.log(`  frozen ${f.group}: ${f.reason} (${f.channels}/${f.of} channels, at ${f.at})`);
    return 0;
  },
};
