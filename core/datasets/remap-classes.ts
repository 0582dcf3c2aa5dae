import type { Dataset, DatasetImage } from './types';
import type { LabelValidator } from './validate';

/**
 * Re-indexes a dataset's classes to `target` names (a model's classes), matching by name. A label whose
 * class is not in `target` is a class the model lacks: flagged through the validator, so the `skip|fail`
 * policy decides, like every other bad label.
 */
export function remapClasses(
  dataset: Dataset,
  target: readonly string[],
  validator: LabelValidator,
): Dataset {
  const map = dataset.classNames.map((n) => target.indexOf(n));
  if (map.every((m, i) => m === i) && target.length === dataset.classNames.length) return dataset;
  const images: DatasetImage[] = dataset.images.map((im) => ({
    ...im,
    boxes: im.boxes.flatMap((b) => {
      const to = map[b.classId]!;
      if (to < 0) {
        validator.flag(
          'unknown-class',
          im.labelFile ?? im.file,
          `class '${dataset.classNames[b.classId]}' is not one of the model's [${target.join(', ')}]`,
        );
        return [];
      }
      return [{ ...b, classId: to }];
    }),
  }));
  return { classNames: target, images };
}

/** Parses ultralytics' `names` metadata, a Python dict literal such as `{0: 'RBC', 1: "WBC"}`. */
export function parseUltralyticsNames(value: string): string[] | null {
  const body = value.trim();
  if (!body.startsWith('{') || !body.endsWith('}')) return null;
  const names: string[] = [];
  const re = /\s*(\d+)\s*:\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*(,|$)/y;
  const inner = body.slice(1, -1);
  re.lastIndex = 0;
  while (re.lastIndex < inner.length) {
    const m = re.exec(inner);
    if (!m) return null;
    if (Number(m[1]) !== names.length) return null;
    names.push((m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1'));
    if (m[4] === '') break;
  }
  return names.length > 0 ? names : null;
}
