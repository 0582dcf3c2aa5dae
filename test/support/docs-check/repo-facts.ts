// What the repository has, for the docs to be read against: its files, the CLI's verbs and flags, the
// flags of its scripts, the `patched()` ids of its workflows and the words of its source (for environment
// variables, codes and identifiers).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { readCliVerbs, readGlobalCliFlags, readParseArgsFlags, type CliVerb } from './cli-flags';

export interface RepoFacts {
  /** Files in the tree (tracked, or new and not ignored) and every folder above them, repo-relative. */
  files: ReadonlySet<string>;
  folders: ReadonlySet<string>;
  topLevel: ReadonlySet<string>;
  verbs: ReadonlyMap<string, CliVerb>;
  /** Flags every verb takes because `cli/main.ts` handles them first (`--help`). */
  globalCliFlags: ReadonlySet<string>;
  /** A script's flags (without `--`), or undefined where they cannot be read from its source. */
  scriptFlags(script: string): ReadonlySet<string> | undefined;
  patchIds: ReadonlySet<string>;
  /** Words of the source files (not Markdown): identifiers, environment variable names, codes. */
  sourceWords: ReadonlySet<string>;
}

const SOURCE = /\.(ts|cjs|mjs|js|sh|py|ya?ml|env|toml|cfg|txt)$|(^|\/)Dockerfile$/;

/** Files whose words must not count as code: the docs check names stale things on purpose. */
const NOT_SOURCE = /^test\/(support\/docs-check\/|infra\/docs-)/;

export function readRepoFacts(repoRoot: string): RepoFacts {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
    .split('\0')
    .filter((f) => f && fs.existsSync(path.join(repoRoot, f)));
  const files = new Set(listed);
  const folders = new Set<string>();
  for (const f of listed)
    for (let d = path.posix.dirname(f); d !== '.'; d = path.posix.dirname(d)) folders.add(d);
  const topLevel = new Set(listed.map((f) => f.split('/')[0]!).filter((t) => folders.has(t)));

  const verbs = readCliVerbs(repoRoot);
  const globalCliFlags = readGlobalCliFlags(repoRoot);
  const read = (f: string) => fs.readFileSync(path.join(repoRoot, f), 'utf8');

  const sourceWords = new Set<string>();
  const patchIds = new Set<string>();
  for (const f of listed) {
    if (!SOURCE.test(f) || NOT_SOURCE.test(f) || fs.statSync(path.join(repoRoot, f)).size > 2_000_000)
      continue;
    const text = read(f);
    for (const m of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) sourceWords.add(m[0]);
    if (f.startsWith('workflows/') && f.endsWith('.ts'))
      for (const id of readPatchIds(f, text)) patchIds.add(id);
  }

  const scriptCache = new Map<string, ReadonlySet<string> | undefined>();
  const scriptFlags = (script: string, depth = 0): ReadonlySet<string> | undefined => {
    if (scriptCache.has(script)) return scriptCache.get(script);
    let flags: ReadonlySet<string> | undefined;
    if (!files.has(script)) flags = undefined;
    else if (/\.(ts|mts|cjs|mjs)$/.test(script)) flags = readParseArgsFlags(repoRoot, script);
    else if (script.endsWith('.py')) flags = readPythonFlags(read(script));
    else if (script.endsWith('.sh'))
      flags = readShellFlags(
        script,
        read(script),
        verbs,
        (s) => (depth < 4 ? scriptFlags(s, depth + 1) : undefined),
        files,
      );
    scriptCache.set(script, flags);
    return flags;
  };
  return { files, folders, topLevel, verbs, globalCliFlags, scriptFlags, patchIds, sourceWords };
}

/** The ids of `patched('…')` and `deprecatePatch('…')` calls in one workflow file. */
export function readPatchIds(file: string, text: string): Set<string> {
  const ids = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (
      ts.isCallExpression(n) &&
      ts.isIdentifier(n.expression) &&
      (n.expression.text === 'patched' || n.expression.text === 'deprecatePatch') &&
      n.arguments[0] &&
      ts.isStringLiteralLike(n.arguments[0])
    )
      ids.add(n.arguments[0].text);
    n.forEachChild(visit);
  };
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS));
  return ids;
}

/**
 * A Python script's flags: argparse's `add_argument("--x")` (and `("-x", "--x")`) and `"--x" in sys.argv`;
 * undefined where it has neither.
 */
export function readPythonFlags(text: string): Set<string> | undefined {
  const argparse = /\badd_argument\(/.test(text);
  const argv = [...text.matchAll(/['"]--([\w-]+)['"]\s+in\s+sys\.argv/g)].map((m) => m[1]!);
  if (!argparse && argv.length === 0) return undefined;
  const flags = new Set(argv);
  for (const m of text.matchAll(/add_argument\(([^)]*)/g))
    for (const f of m[1]!.matchAll(/['"]--([\w-]+)['"]/g)) flags.add(f[1]!);
  return flags;
}

/**
 * A shell script's flags: the arms of its `case` (`--gpu)`, `-h | --help)`), and where it hands `"$@"` on to
 * a `stageprune` verb or another repo script, that one's flags. Undefined when neither can be read, or when
 * an arm takes any flag (`--*)`).
 */
export function readShellFlags(
  file: string,
  text: string,
  verbs: ReadonlyMap<string, CliVerb>,
  scriptFlags: (script: string) => ReadonlySet<string> | undefined,
  files: ReadonlySet<string>,
): Set<string> | undefined {
  let flags: Set<string> | undefined;
  const take = (more: Iterable<string>) => {
    flags ??= new Set();
    for (const f of more) flags.add(f);
  };
  for (const line of text.split('\n')) {
    const arm = /^\s*\(?\s*((?:-{1,2}[\w*-]+)(?:\s*\|\s*-{1,2}[\w*-]+)*)\s*\)/.exec(line);
    if (arm) {
      const names = arm[1]!.split('|').map((s) => s.trim());
      if (names.some((n) => n.includes('*'))) return undefined;
      take(names.filter((n) => n.startsWith('--')).map((n) => n.slice(2)));
    }
    if (!/"\$(@|\{@)/.test(line)) continue;
    const verb = /\bstageprune\s+([a-z-]+)\b/.exec(line)?.[1];
    if (verb && verbs.has(verb)) take(verbs.get(verb)!.flags);
    const dir = path.posix.dirname(file);
    for (const m of line.matchAll(/([\w$./{}"-]*?)([\w-]+\.(?:ts|sh|py))\b/g)) {
      const named = `${m[1]!.replace(/["{}]/g, '')}${m[2]!}`;
      const candidates = [
        named,
        path.posix.join(dir, m[2]!),
        path.posix.join(dir, named.replace(/^\$\w+\//, '')),
        named.replace(/^\$\w+\//, ''),
      ];
      const target = candidates.find((c) => c !== file && files.has(c));
      const more = target && scriptFlags(target);
      if (more) take(more);
    }
  }
  return flags;
}
