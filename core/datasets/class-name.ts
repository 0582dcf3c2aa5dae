import { DatasetError } from './errors';

/** Longest class name accepted, in characters. Real label sets stay far below it. */
export const MAX_CLASS_NAME_LENGTH = 128;

// Class names end up in reports, JSON, terminals and model metadata. Markup characters mean an unexpanded
// entity or a broken file (`&lol9;`), control characters can rewrite terminal output.
const MARKUP = /[<>&]/;
const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}]/u;
const CONTROLS = new RegExp(CONTROL.source, 'gu');

/** Why `name` cannot be a class name, or undefined when it can. */
export function classNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'is empty';
  if ([...name].length > MAX_CLASS_NAME_LENGTH) return `is longer than ${MAX_CLASS_NAME_LENGTH} characters`;
  if (MARKUP.test(name)) return 'contains a markup character (<, > or &)';
  if (CONTROL.test(name)) return 'contains a control character';
  return undefined;
}

/** Throws DATASET_LABEL_INVALID for `file` when `name` is not a usable class name. */
export function checkClassName(name: string, file: string, where: string): void {
  const problem = classNameProblem(name);
  if (problem === undefined) return;
  // Escaped and cut, so that the name cannot break the one-line message it is quoted in.
  const chars = [...name];
  const shown = (chars.slice(0, 40).join('') + (chars.length > 40 ? '…' : '')).replace(
    CONTROLS,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  throw new DatasetError('DATASET_LABEL_INVALID', file, `${where}: class name '${shown}' ${problem}`);
}
