/**
 * The split entries of an ultralytics data yaml (`path:`, `train:`, `val:`, `test:`), each a path or a list of
 * paths as written (relative ones are resolved by the reader, as ultralytics does). Only top-level scalars,
 * inline lists and block lists are read; other keys (names, download scripts) are ignored.
 */
export interface YoloYamlSplits {
  readonly path?: string;
  readonly splits: Readonly<Partial<Record<'train' | 'val' | 'test', readonly string[]>>>;
}

const SPLIT_KEYS = ['train', 'val', 'test'] as const;
const unquote = (s: string) => s.trim().replace(/^['"]|['"]$/g, '');
const stripComment = (s: string) => s.replace(/\s+#.*$/, '');

export function parseYoloYamlSplits(text: string): YoloYamlSplits {
  const lines = text.split(/\r?\n/);
  const splits: Partial<Record<(typeof SPLIT_KEYS)[number], string[]>> = {};
  let root: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\w+)\s*:(.*)$/.exec(lines[i]!);
    if (!m) continue;
    const key = m[1]!;
    const value = stripComment(m[2]!).trim();
    if (key === 'path') {
      if (value !== '') root = unquote(value);
      continue;
    }
    if (!(SPLIT_KEYS as readonly string[]).includes(key)) continue;
    let paths: string[];
    if (value.startsWith('['))
      paths = value
        .replace(/^\[|\]$/g, '')
        .split(',')
        .map(unquote);
    else if (value !== '' && value !== 'null' && value !== '~') paths = [unquote(value)];
    else {
      paths = [];
      for (let j = i + 1; j < lines.length && /^\s+-\s*/.test(lines[j]!); j++)
        paths.push(unquote(stripComment(lines[j]!.replace(/^\s+-\s*/, ''))));
    }
    paths = paths.filter((p) => p !== '');
    if (paths.length > 0) splits[key as (typeof SPLIT_KEYS)[number]] = paths;
  }
  return { ...(root !== undefined ? { path: root } : {}), splits };
}
