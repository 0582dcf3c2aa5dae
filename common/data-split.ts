import { z } from 'zod';

/**
 * A split of a run's data set: one the data set names (`test`, `trainval`, a YOLO folder, a COCO file), or one
 * side of a seeded hold-out carved from one. The hold-out is how a run gets a `selection` split of its own
 * where the data set has none: `held` is up to `holdOut` images of `of` (never more than half of it), chosen by
 * the order of sha256("<seed>:<image file name>"), and `rest` is every other image of `of`. Both sides are
 * computed the same way by the TypeScript loaders and the trainer, so they never share an image.
 */
export type DataSplit = string | HeldOutSplit;

export interface HeldOutSplit {
  readonly of: string;
  readonly holdOut: number;
  readonly seed: number;
  readonly part: 'held' | 'rest';
}

/** A random seed: a non-negative 32-bit integer, as the trainer and the hold-out take it. */
export const seedSchema = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);

export const splitNameSchema = z.string().regex(/^[\w.+-]+$/, 'a split name (letters, digits, . + - _)');

export const dataSplitSchema = z.union([
  splitNameSchema,
  z
    .object({
      of: splitNameSchema,
      holdOut: z.number().int().min(1).max(1_000_000),
      seed: seedSchema,
      part: z.enum(['held', 'rest']),
    })
    .strict(),
]);

/** The split a data set names that `split` reads from. */
export function baseSplitName(split: DataSplit): string {
  return typeof split === 'string' ? split : split.of;
}

/** One line for reports and logs: "test", "64 images held out of trainval (seed 0)", "trainval less ...". */
export function describeSplit(split: DataSplit): string {
  if (typeof split === 'string') return split;
  const held = `${split.holdOut} images held out of ${split.of} (seed ${split.seed})`;
  return split.part === 'held' ? held : `${split.of} less the ${held}`;
}

/** The three things a run does with images: choose, train, report. */
export const SPLIT_ROLES_IN_ORDER = ['selection', 'finetune', 'evaluation'] as const;
export type SplitRole = (typeof SPLIT_ROLES_IN_ORDER)[number];

/** The run's splits once resolved: where choices are made, what is fine-tuned on, what is reported. */
export interface RunSplits {
  /**
   * Sensitivity scans, search rewards, NetAdapt's and the mixed planner's checks, hrank's images. Absent when no
   * stage of the run chooses on images (common/selection-use.ts): then nothing is held out for it.
   */
  readonly selection?: DataSplit;
  /** Fine-tunes (the final one, the schedule's short ones, NetAdapt's), Taylor scores, Network Slimming. */
  readonly finetune: DataSplit;
  /** The before/after evaluation and the report: scored once per model, never used to choose. */
  readonly evaluation: DataSplit;
  /** Why a role reads a split the input did not name, where the data set decided it (e.g. no test split). */
  readonly reasons?: Partial<Record<SplitRole, string>>;
}

/** What each split is for, as the report and the run's result say it. */
export const SPLIT_ROLES: Readonly<Record<SplitRole, string>> = {
  selection: 'choices: sensitivity scans, search rewards, planner checks, hrank images',
  finetune: 'training: fine-tunes, Taylor scores, Network Slimming',
  evaluation: 'reporting: before/after mAP and latency, scored once per model',
};

/** How the run's result and report name a selection split that was not made. */
export const SELECTION_UNUSED = 'none (no stage chooses on it)';

/** The run's split settings as the input states them (common/compress-input.ts); unset: see resolveRunSplits. */
export interface SplitSettings {
  readonly selection?: DataSplit | undefined;
  readonly selectionImages: number;
  readonly selectionSeed: number;
  readonly finetune?: DataSplit | undefined;
  readonly evaluation?: DataSplit | undefined;
}

/** Split names that stand for a union where a data set has no split of that name (as VOC's trainval). */
export const UNION_PARTS: Readonly<Record<string, readonly string[]>> = { trainval: ['train', 'val'] };

function namedParts(split: DataSplit): Set<string> {
  const name = baseSplitName(split);
  return new Set([name, ...(UNION_PARTS[name] ?? [])]);
}

/** Thrown by resolveRunSplits when two roles would read the same images. */
export class SplitOverlapError extends Error {
  readonly code = 'SPLITS_OVERLAP';
}

/** What resolveRunSplits needs to know of the data set and of the run's stages. */
export interface SplitContext {
  /** The split names the data set has (runtime/datasets splitNamesInKeys); unset where it is not known. */
  readonly datasetSplits?: ReadonlySet<string> | undefined;
  /** Whether a stage of the run chooses on the selection split (choosesOnSelection, common/selection-use.ts). */
  readonly choosesOnSelection: boolean;
}

/**
 * The evaluation and fine-tune splits where the input names none. Evaluation: `test`, else (a data set without
 * one, as most ultralytics exports) `val`, the split ultralytics' own `val` reads then. Fine-tune: `trainval`
 * (a data set's own, or its train and val), else `train`: where evaluation reads val, or where the data set
 * shows no val (its data.yaml may point val at a split of another role, as Hard Hat's at `selection`).
 */
function defaultSplits(
  settings: SplitSettings,
  names: ReadonlySet<string> | undefined,
): { finetune: DataSplit; evaluation: DataSplit; reasons: Partial<Record<SplitRole, string>> } {
  const reasons: Partial<Record<SplitRole, string>> = {};
  let evaluation = settings.evaluation;
  if (evaluation === undefined) {
    if (names === undefined || names.has('test')) evaluation = 'test';
    else {
      evaluation = 'val';
      reasons.evaluation = "the data set has no test split: val, as ultralytics' val reads it";
    }
  }
  let finetune = settings.finetune;
  if (finetune === undefined) {
    const evaluated = namedParts(evaluation);
    const hasTrainval =
      names === undefined || names.has('trainval') || UNION_PARTS.trainval!.every((p) => names.has(p));
    if (UNION_PARTS.trainval!.some((p) => evaluated.has(p))) {
      finetune = 'train';
      reasons.finetune = `evaluation reads ${baseSplitName(evaluation)}`;
    } else if (!hasTrainval) {
      finetune = 'train';
      reasons.finetune = 'the data set has no val split';
    } else finetune = 'trainval';
  }
  return { finetune, evaluation, reasons };
}

/**
 * The run's splits. Evaluation and fine-tune as given, else by the data set (defaultSplits). Selection, only
 * where a stage chooses on it: the given split, else the data set's `selection` split, else a hold-out of the
 * fine-tune split, whose other side becomes the fine-tune split. Refuses settings where two roles name the same
 * split (or one that a union such as trainval contains), except a hold-out's two sides.
 */
export function resolveRunSplits(settings: SplitSettings, context: SplitContext): RunSplits {
  const names = context.datasetSplits;
  const defaults = defaultSplits(settings, names);
  const { evaluation, reasons } = defaults;
  let { finetune } = defaults;
  let selection: DataSplit | undefined;
  if (!context.choosesOnSelection) selection = undefined;
  else if (settings.selection !== undefined) selection = settings.selection;
  else if (names?.has('selection')) selection = 'selection';
  else if (typeof finetune === 'string') {
    const holdOut = { of: finetune, holdOut: settings.selectionImages, seed: settings.selectionSeed };
    selection = { ...holdOut, part: 'held' };
    finetune = { ...holdOut, part: 'rest' };
  } else {
    throw new SplitOverlapError(
      `splits.finetune is already a hold-out (${describeSplit(finetune)}): name splits.selection too`,
    );
  }
  const roles: [SplitRole, DataSplit][] = [
    ...(selection !== undefined ? [['selection', selection] as [SplitRole, DataSplit]] : []),
    ['finetune', finetune],
    ['evaluation', evaluation],
  ];
  for (let i = 0; i < roles.length; i++)
    for (let j = i + 1; j < roles.length; j++) {
      const [ra, a] = roles[i]!;
      const [rb, b] = roles[j]!;
      const sides =
        typeof a !== 'string' &&
        typeof b !== 'string' &&
        a.of === b.of &&
        a.seed === b.seed &&
        a.holdOut === b.holdOut &&
        a.part !== b.part;
      if (sides) continue;
      const shared = [...namedParts(a)].filter((n) => namedParts(b).has(n));
      if (shared.length > 0)
        throw new SplitOverlapError(
          `splits.${ra} (${describeSplit(a)}) and splits.${rb} (${describeSplit(b)}) share split '${shared[0]}': ` +
            'an image may serve one role only (choosing, fine-tuning or reporting), e.g. selection=val,finetune=train',
        );
    }
  return {
    ...(selection !== undefined ? { selection } : {}),
    finetune,
    evaluation,
    ...(Object.keys(reasons).length > 0 ? { reasons } : {}),
  };
}

/** The selection split of a run whose stages choose on it; a stage that reads it in any other run is a bug. */
export function selectionSplit(splits: RunSplits): DataSplit {
  const split = splits.selection;
  if (split === undefined)
    throw new Error(
      'this run has no selection split (choosesOnSelection said no stage chooses on it), yet a stage reads it',
    );
  return split;
}

/**
 * The run's splits a data set whose split names are `names` lacks (a union such as trainval is there when its
 * parts are), as "evaluation: test". `mapped`: names the data set may hold elsewhere (a YOLO data.yaml's train,
 * val and test entries), taken as present.
 */
export function missingSplits(
  splits: RunSplits,
  names: ReadonlySet<string>,
  mapped: ReadonlySet<string> = new Set(),
): string[] {
  const has = (n: string) => names.has(n) || mapped.has(n);
  return SPLIT_ROLES_IN_ORDER.flatMap((role) => {
    const split = splits[role];
    if (split === undefined) return [];
    const name = baseSplitName(split);
    const parts = UNION_PARTS[name];
    return has(name) || (parts !== undefined && parts.every(has)) ? [] : [`${role}: ${name}`];
  });
}
