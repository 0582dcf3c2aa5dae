// The compression-quality comparison (issue 16): every planner and schedule at each FLOPs budget and seed,
// through the product (`stageprune run` on the local stack, one run at a time), plus Torch-Pruning's YOLOv8
// recipe fine-tuned by the same trainer, then every deployed model's latency on one CPU thread in interleaved
// rounds. Resumable: finished runs are read back from results.jsonl and skipped.
//
//   npx tsx bench/pareto.ts [--budgets 0.5,0.7] [--seeds 0,1,2] [--epochs 15] [--configs staged,uniform,...]
//       [--out tmp/pareto] [--tp-python /path/to/venv/bin/python] [--cwd-head 0] [--splits ...] [--latency-only]
//       [--pruned FILE (config given)] [--model M --data DIR --imgsz 416] [--score-split selection]
//
// Choose on selection, report on test once: a screening pass (`--score-split selection`) scores every delivered
// model on the data set's selection split (its row keeps only that score, `scoreSplit`); the chosen configs are
// then run again into another --out with the evaluation split's score. Rows without `scoreSplit` were scored on
// the pipeline's evaluation split.
//
// Configs: staged, uniform, sensitivity, iterative (staged in 5 steps, 2 epochs between), slimming (sparsify
// 10 epochs L1 1e-4, bn-gamma; slimming-l1-1e-2 the same with λ 1e-2), mixed (sensitivity planner, layer
// drops + channels), amc (the DDPG search, 400 episodes, seeded by the run's seed), netadapt (a latency cut of 0.75 × the budget), tp (Torch-Pruning 1.6's
// recipe, dev venv only), unpruned (the base model itself fine-tuned by the same trainer and budget: what the
// fine-tune recipe alone does to the score; its rows have budget 0), given (the model named by --pruned, pruned
// elsewhere, e.g. one search's result, fine-tuned under each seed: the plan held fixed, the seed varied; its
// rows carry the --budgets they are filed under).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  deployedUri,
  lastJson,
  latencyRounds,
  localModelCopy,
  runCompression,
  stageprune as cli,
  stageprunePromptly,
} from './support/stack-runs';
import { deployFormBefore, readParetoRows, type ParetoRow as Row } from './support/pareto-rows';

const CONFIG_FLAGS: Record<string, string[]> = {
  staged: ['--planner', 'staged'],
  uniform: ['--planner', 'uniform'],
  // The review's stage bounds stop the sensitivity planner near −49% FLOPs: wider ones for −70%.
  sensitivity: [
    '--planner',
    'sensitivity',
    '--planner-options',
    '{"stageBounds":{"backbone":0.7,"neck":0.7,"head":0.6}}',
  ],
  iterative: ['--planner', 'staged', '--steps', '5', '--step-epochs', '2'],
  slimming: ['--planner', 'staged', '--sparsify', '10', '--sparsify-l1', '1e-4', '--criterion', 'bn-gamma'],
  // λ = 1e-4 moved no γ in 10 epochs here (mean |γ| 1.0049 → 1.0047): ~130 SGD steps need a stronger penalty.
  'slimming-l1-1e-2': [
    '--planner',
    'staged',
    '--sparsify',
    '10',
    '--sparsify-l1',
    '1e-2',
    '--criterion',
    'bn-gamma',
  ],
  mixed: [
    '--planner',
    'sensitivity',
    '--granularity',
    'mixed',
    '--planner-options',
    '{"stageBounds":{"backbone":0.7,"neck":0.7,"head":0.6}}',
  ],
};
// Label-free CWD: the sensitivity plan, fine-tuned by distillation from the original alone (no labels read).
CONFIG_FLAGS['sensitivity-no-labels'] = [...CONFIG_FLAGS['sensitivity']!, '--no-labels'];

/**
 * Configs whose flags depend on the seed or the budget. `amc`: the DDPG search with AMC's own budget (400
 * episodes, the first 100 random), batches of 4, searching with the run's seed, so each seed is its own search
 * and fine-tune. `netadapt`: its budget is latency, not FLOPs: a latency cut of 0.75 × the FLOPs budget (our
 * models' measured speed-up ÷ FLOPs factor, 0.82 at −50% and 0.62 at −72% on one CPU thread, puts the matching
 * latency cut at 0.78 and 0.74 of the FLOPs cut); its row records the FLOPs it actually removed.
 */
const SEEDED_CONFIG_FLAGS: Record<string, (seed: number, budget: number) => string[]> = {
  netadapt: (_seed, budget) => ['--planner', 'netadapt', '--latency-reduction', (0.75 * budget).toFixed(3)],
  amc: (seed) => [
    '--planner',
    'amc',
    '--episodes',
    '400',
    '--planner-options',
    JSON.stringify({ warmup: 100, batch: 4, seed }),
  ],
};
/** A config's `run` flags with its target: the FLOPs budget, except for planners whose budget is latency. */
const configFlags = (config: string, seed: number, budget: number): string[] => {
  const flags = CONFIG_FLAGS[config] ?? SEEDED_CONFIG_FLAGS[config]?.(seed, budget);
  if (!flags) throw new Error(`unknown config ${config}`);
  return flags.includes('--latency-reduction') ? flags : [...flags, '--target-flops', String(budget)];
};

const { values } = parseArgs({
  options: {
    budgets: { type: 'string', default: '0.5,0.7' },
    seeds: { type: 'string', default: '0,1,2' },
    epochs: { type: 'string', default: '15' },
    configs: { type: 'string', default: 'staged,uniform,sensitivity,iterative,slimming,mixed,tp' },
    model: { type: 'string', default: 'models/yolov8n-bccd.onnx' },
    data: { type: 'string', default: 'datasets/bccd' },
    out: { type: 'string', default: 'tmp/pareto' },
    'tp-python': { type: 'string' },
    pruned: { type: 'string' },
    'cwd-head': { type: 'string' },
    'cwd-tau': { type: 'string' },
    'cwd-weight': { type: 'string' },
    lr0: { type: 'string' },
    'warmup-bias-lr': { type: 'string' },
    'output-weight': { type: 'string' },
    splits: { type: 'string' },
    tag: { type: 'string', default: '' },
    'latency-only': { type: 'boolean', default: false },
    'latency-rounds': { type: 'string', default: '5' },
    imgsz: { type: 'string', default: '416' },
    'score-split': { type: 'string' },
  },
});
const imgsz = values.imgsz!;
const out = path.resolve(values.out!);
const results = path.join(out, 'results.jsonl');
fs.mkdirSync(path.join(out, 'models'), { recursive: true });
const done = new Map<string, Row>(readParetoRows(results).map((r) => [r.id, r]));

/** Fine-tune flags `run` and `finetune` share, passed through as given (unset: each command's default). */
const FINETUNE_FLAGS = [
  'cwd-head',
  'cwd-tau',
  'cwd-weight',
  'lr0',
  'warmup-bias-lr',
  'output-weight',
] as const;
const finetuneFlags = (): string[] => FINETUNE_FLAGS.flatMap((k) => (values[k] ? [`--${k}`, values[k]] : []));

/** `stageprune run`'s extra flags: the fine-tune's and the splits. */
function extraFlags(): string[] {
  return [...finetuneFlags(), ...(values.splits ? ['--splits', values.splits] : [])];
}

/**
 * The pipeline's split defaults, overridden by --splits selection=..,finetune=..,evaluation=..; `selection`:
 * whether the data set has a selection split or one is named.
 */
function splitNames(): { finetune: string; evaluation: string; selection: boolean } {
  const named = Object.fromEntries(
    (values.splits ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=') as [string, string]),
  );
  const ownSelection = ['images/selection', 'ImageSets/Main/selection.txt'].some((p) =>
    fs.existsSync(path.join(values.data!, p)),
  );
  return {
    finetune: named['finetune'] ?? 'trainval',
    evaluation: named['evaluation'] ?? 'test',
    selection: Boolean(named['selection']) || ownSelection,
  };
}

/**
 * Parameters and FLOPs of a model file at --imgsz in the deploy form (BN folded), whatever its form: the base
 * model is train-form and every delivered model deploy-form, so both sides of a reduction are counted alike.
 */
function deployStats(file: string): { flops: number; params: number } {
  const r = stageprunePromptly(['model', 'stats', file, '--deploy', '--json', '--imgsz', imgsz]);
  if (r.status !== 0) throw new Error(`model stats ${file} exited ${r.status}`);
  const s = JSON.parse(r.stdout) as { flops: number; params: number; form: string };
  if (s.form !== 'deploy') throw new Error(`model stats ${file}: counted '${s.form}', not deploy form`);
  return { flops: s.flops, params: s.params };
}

/** mAP of a model file on a split of --data, by `stageprune eval` at --imgsz. */
function scoreOn(file: string, split: string): { map50_95: number; map50: number } {
  const ev = stageprunePromptly([
    'eval',
    file,
    '--data',
    values.data!,
    '--split',
    split,
    '--imgsz',
    imgsz,
    '--json',
  ]);
  if (ev.status !== 0) throw new Error(`eval ${file} --split ${split} exited ${ev.status}`);
  return lastJson<{ map50_95: number; map50: number }>(ev.stdout);
}

/** A row's score: the --score-split's when one is named (screening), else the evaluation split's. */
async function screened(row: Row, deployedFile: () => Promise<string>): Promise<Row> {
  const split = values['score-split'];
  if (!split) return row;
  const m = scoreOn(await deployedFile(), split);
  const { prunedMap50_95: _dropped, ...rest } = row;
  return { ...rest, map50_95: m.map50_95, map50: m.map50, scoreSplit: split };
}

function runPipeline(config: string, budget: number, seed: number, id: string): Row {
  const t0 = Date.now();
  const result = runCompression(id, [
    '--model',
    values.model!,
    '--data',
    values.data!,
    ...configFlags(config, seed, budget),
    '--epochs',
    values.epochs!,
    '--seed',
    String(seed),
    ...extraFlags(),
  ]);
  return {
    id,
    config,
    budget,
    seed,
    epochs: Number(values.epochs),
    wallSeconds: (Date.now() - t0) / 1000,
    finetuneSeconds: result.stepSeconds['finetuning'],
    // The pipeline counts every model in the deploy form (evaluateModel), the train-form base too.
    flops: { before: result.before.flops, after: result.after.flops },
    params: { before: result.before.params, after: result.after.params },
    costForm: 'deploy',
    map50_95: result.after.map50_95,
    map50: result.after.map50,
    prunedMap50_95: result.pruned.map50_95,
    deployed: deployedUri(result),
    runId: result.runId,
  };
}

/** Torch-Pruning's recipe on the base model's weights, fine-tuned and scored by our trainer and evaluator. */
function runTorchPruning(budget: number, seed: number, id: string): Row {
  if (!values['tp-python']) throw new Error('config tp needs --tp-python (a dev venv with torch-pruning)');
  const t0 = Date.now();
  const dir = path.join(out, 'tp', id);
  fs.mkdirSync(dir, { recursive: true });
  const pruned = path.join(dir, 'pruned.onnx');
  execFileSync(values['tp-python'], [
    'tools/dev-checks/torch-pruning-recipe.py',
    '--model',
    values.model!,
    '--flops-reduction',
    String(budget),
    '--out',
    pruned,
  ]);
  return finetuneOutside('tp', pruned, dir, budget, seed, id, t0);
}

/** A model pruned outside the pipeline (or not at all), fine-tuned by our trainer and scored by our evaluator. */
function finetuneOutside(
  config: string,
  pruned: string,
  dir: string,
  budget: number,
  seed: number,
  id: string,
  t0: number,
): Row {
  const tuned = path.join(dir, 'finetuned');
  const splits = splitNames();
  const ft0 = Date.now();
  const ft = cli([
    'finetune',
    '--student',
    pruned,
    '--teacher',
    values.model!,
    '--data',
    values.data!,
    '--splits',
    splits.finetune,
    ...finetuneFlags(),
    '--epochs',
    values.epochs!,
    '--imgsz',
    imgsz,
    '--seed',
    String(seed),
    '--out',
    tuned,
  ]);
  if (ft.status !== 0) throw new Error(`${id}: finetune exited ${ft.status}`);
  const finetuneSeconds = (Date.now() - ft0) / 1000;
  const deployed = path.join(out, 'models', `${id}.onnx`);
  if (stageprunePromptly(['model', 'export', path.join(tuned, 'model.onnx'), '--out', deployed]).status !== 0)
    throw new Error(`${id}: export failed`);
  // Screening scores on --score-split only (screened()); the evaluation split is not read.
  const m = values['score-split'] ? { map50_95: NaN, map50: NaN } : scoreOn(deployed, splits.evaluation);
  const [b, a] = [deployStats(values.model!), deployStats(deployed)];
  return {
    id,
    config,
    budget,
    seed,
    epochs: Number(values.epochs),
    wallSeconds: (Date.now() - t0) / 1000,
    finetuneSeconds,
    flops: { before: b.flops, after: a.flops },
    params: { before: b.params, after: a.params },
    costForm: 'deploy',
    map50_95: m.map50_95,
    map50: m.map50,
    deployed,
  };
}

async function runConfig(config: string, budget: number, seed: number, id: string): Promise<Row> {
  const row = runConfigUnscored(config, budget, seed, id);
  return screened(row, async () => {
    if (!row.deployed.startsWith('s3://')) return row.deployed;
    const local = path.join(out, 'models', `${row.id}.onnx`);
    await localModelCopy(row.deployed, local);
    return local;
  });
}

function runConfigUnscored(config: string, budget: number, seed: number, id: string): Row {
  if (config === 'tp') return runTorchPruning(budget, seed, id);
  if (config === 'unpruned') {
    const dir = path.join(out, 'unpruned', id);
    fs.mkdirSync(dir, { recursive: true });
    return finetuneOutside(config, values.model!, dir, 0, seed, id, Date.now());
  }
  if (config === 'given') {
    if (!values.pruned) throw new Error('config given needs --pruned FILE');
    const dir = path.join(out, 'given', id);
    fs.mkdirSync(dir, { recursive: true });
    return finetuneOutside(config, path.resolve(values.pruned), dir, budget, seed, id, Date.now());
  }
  return runPipeline(config, budget, seed, id);
}

/** The bench/pareto.ts command that makes one row: this invocation's flags, narrowed to that config, budget, seed. */
function rowCommand(config: string, budget: number, seed: number): string {
  const own = new Set(['budgets', 'seeds', 'configs', 'latency-only']);
  const flags = Object.entries(values)
    .filter(([k, v]) => !own.has(k) && v !== undefined && v !== false && v !== '')
    .map(([k, v]) => (v === true ? `--${k}` : `--${k} ${JSON.stringify(v)}`));
  return `npx tsx bench/pareto.ts --configs ${config} --budgets ${budget} --seeds ${seed} ${flags.join(' ')}`;
}

/** True when a config's run chooses on the selection split (the pipeline then holds images out for it). */
function choosesOnSelection(config: string): boolean {
  const flags = CONFIG_FLAGS[config] ?? SEEDED_CONFIG_FLAGS[config]?.(0, 0.5) ?? [];
  const after = (flag: string) => flags[flags.indexOf(flag) + 1];
  return (
    ['sensitivity', 'amc', 'netadapt'].includes(after('--planner') ?? '') || after('--criterion') === 'hrank'
  );
}

/**
 * Every row fine-tunes on the same images: the pipeline holds selection images out of the fine-tune split
 * only for runs that choose on them, so a comparison that mixes such configs with others (or with
 * fine-tunes outside the pipeline) needs a selection split of its own.
 */
function checkLikeForLike(): void {
  const choosers = values.configs!.split(',').filter(choosesOnSelection);
  if (choosers.length > 0 && !splitNames().selection)
    throw new Error(
      `${choosers.join(', ')} choose on a selection split and ${values.data} has none: the pipeline would hold ` +
        'images out of their fine-tune only, so rows would not fine-tune on the same images. Name one with ' +
        '--splits selection=S,finetune=T (S not in T), or use a data set with a selection split.',
    );
}

async function runAll(): Promise<void> {
  checkLikeForLike();
  for (const budget of values.budgets!.split(',').map(Number))
    for (const config of values.configs!.split(','))
      for (const seed of values.seeds!.split(',').map(Number)) {
        const b = config === 'unpruned' ? 0 : budget;
        const id = `pareto${values.tag}-${config}-${b}-s${seed}`;
        if (done.has(id)) continue;
        console.error(`== ${id}`);
        try {
          // Each row carries the command that made it, so a matrix can be continued from its results.jsonl alone.
          const row = { ...(await runConfig(config, b, seed, id)), command: rowCommand(config, b, seed) };
          fs.appendFileSync(results, `${JSON.stringify(row)}\n`);
          done.set(id, row);
        } catch (err) {
          console.error(`${id} failed: ${(err as Error).message}`);
          fs.appendFileSync(path.join(out, 'failures.log'), `${id}: ${(err as Error).message}\n`);
        }
      }
}

/** Every deployed model (and the base) timed on one thread in interleaved rounds: order shuffled each round. */
async function latencies(): Promise<void> {
  const files: Record<string, string> = { base: path.resolve(values.model!) };
  for (const r of done.values()) {
    const local = path.join(out, 'models', `${r.id}.onnx`);
    if (r.deployed.startsWith('s3://')) await localModelCopy(r.deployed, local);
    if (fs.existsSync(local)) files[r.id] = local;
  }
  const models = latencyRounds(files, { rounds: Number(values['latency-rounds']), imgsz: Number(imgsz) });
  fs.writeFileSync(path.join(out, 'latency.json'), `${JSON.stringify({ models }, null, 2)}\n`);
  const table = summaryTable([...done.values()], models);
  fs.writeFileSync(path.join(out, 'summary.md'), table);
  console.log(table);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const pm = (xs: number[], digits: number) => `${mean(xs).toFixed(digits)} ± ${sd(xs).toFixed(digits)}`;

/**
 * One line per budget and config: means ± sample standard deviations over the seeds. FLOPs of both sides in
 * the deploy form: rows recorded before `costForm` was kept are restated against the base's deploy-form FLOPs.
 */
function summaryTable(rows: Row[], lat: Record<string, { medianMs: number }>): string {
  const base = lat['base']?.medianMs ?? NaN;
  const baseDeploy = deployStats(values.model!);
  const before = (r: Row) => deployFormBefore(r, baseDeploy).flops;
  const lines = [
    `base model latency: ${base.toFixed(2)} ms (1 thread, batch 1, ${imgsz} px, median of interleaved rounds)`,
    `mAP scored on: ${[...new Set(rows.map((r) => r.scoreSplit ?? 'the evaluation split'))].join(', ')}`,
    `FLOPs of both sides in the deploy form (BN folded): base ${(baseDeploy.flops / 1e9).toFixed(3)} G`,
    '',
    '| budget | config | seeds | FLOPs −% (deploy form) | mAP50-95 | mAP50 | latency ms | speed-up | speed-up ÷ FLOPs factor | fine-tune s | run s |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  // Rows of one budget and config but another --tag (e60, lr0.002) are other settings: their own line.
  const label = (r: Row) => r.id.replace(/^pareto-?/, '').replace(/-[0-9.]+-s\d+$/, '');
  const groups = new Map<string, Row[]>();
  for (const r of rows)
    groups.set(`${r.budget}|${label(r)}`, [...(groups.get(`${r.budget}|${label(r)}`) ?? []), r]);
  for (const [key, g] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const [budget, config] = key.split('|');
    const ms = g.map((r) => lat[r.id]?.medianMs ?? NaN);
    const speed = ms.map((m) => base / m);
    const factor = g.map((r) => before(r) / r.flops.after);
    const ft = g.map((r) => r.finetuneSeconds ?? NaN).filter((x) => !Number.isNaN(x));
    lines.push(
      `| ${budget} | ${config} | ${g.map((r) => r.seed).join(',')} | ${pm(
        g.map((r) => 100 * (1 - r.flops.after / before(r))),
        1,
      )} | ${pm(
        g.map((r) => r.map50_95),
        4,
      )} | ${pm(
        g.map((r) => r.map50),
        4,
      )} | ${pm(ms, 2)} | ${pm(speed, 2)} | ${pm(
        speed.map((x, i) => x / factor[i]!),
        2,
      )} | ${ft.length ? mean(ft).toFixed(0) : '–'} | ${mean(g.map((r) => r.wallSeconds)).toFixed(0)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  if (!values['latency-only']) await runAll();
  await latencies();
}
void main();
