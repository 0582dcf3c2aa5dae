// What the `stageprune` CLI accepts, read from its own source with the TypeScript parser (not by running it:
// a verb's `run` connects to Temporal and S3): the verbs `cli/commands/index.ts` registers, each verb's
// flags (the options object of every `parseFlags` call in its file) and its subcommands (the string cases
// of a `switch` in `run`), with the flags of the function each subcommand calls.

import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface CliVerb {
  name: string;
  /** The verb's file, repo-relative. */
  file: string;
  /** Every flag any `parseFlags` call of the verb's file accepts, without the leading `--`. */
  flags: Set<string>;
  /** Subcommand → its own flags (the verb's `run` flags where the subcommand calls no parsing function). */
  subcommands: Map<string, Set<string>>;
}

/** The source could not be read the way this module expects: the message says where and what to update. */
export class CliSourceShapeError extends Error {}

const parse = (file: string, text: string) =>
  ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  node.forEachChild((c) => walk(c, visit));
}

const unwrap = (e: ts.Expression): ts.Expression =>
  ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isParenthesizedExpression(e)
    ? unwrap(e.expression)
    : e;

function propertyName(p: ts.ObjectLiteralElementLike): string | undefined {
  if (!p.name) return undefined;
  if (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) return p.name.text;
  return undefined;
}

/** The initializer of `const <name> = …` at any depth of the file. */
function constInitializer(source: ts.SourceFile, name: string): ts.Expression | undefined {
  let found: ts.Expression | undefined;
  walk(source, (n) => {
    if (
      !found &&
      ts.isVariableDeclaration(n) &&
      ts.isIdentifier(n.name) &&
      n.name.text === name &&
      n.initializer
    )
      found = n.initializer;
  });
  return found;
}

/** `import { a, b as c } from 'spec'` or `export { a } from 'spec'`: the names and where they come from. */
function namedBindings(
  st: ts.Statement,
): { spec: string; elements: readonly (ts.ImportSpecifier | ts.ExportSpecifier)[] } | undefined {
  if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
    const b = st.importClause?.namedBindings;
    return b && ts.isNamedImports(b) ? { spec: st.moduleSpecifier.text, elements: b.elements } : undefined;
  }
  if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
    const c = st.exportClause;
    return c && ts.isNamedExports(c) ? { spec: st.moduleSpecifier.text, elements: c.elements } : undefined;
  }
  return undefined;
}

/** Parsed repo files, loaded once each. */
class Sources {
  private readonly parsed = new Map<string, ts.SourceFile>();
  constructor(
    readonly repoRoot: string,
    private readonly given: ReadonlyMap<string, string> = new Map(),
  ) {}

  get(file: string): ts.SourceFile {
    let source = this.parsed.get(file);
    if (!source) {
      source = parse(file, this.given.get(file) ?? fs.readFileSync(path.join(this.repoRoot, file), 'utf8'));
      this.parsed.set(file, source);
    }
    return source;
  }

  /** The repo file a relative import of `from` names (`./x` → `x.ts` or `x/index.ts`). */
  resolve(from: string, spec: string): string | undefined {
    if (!spec.startsWith('.')) return undefined;
    const base = path.posix.join(path.posix.dirname(from), spec);
    return [`${base}.ts`, path.posix.join(base, 'index.ts')].find(
      (f) => this.given.has(f) || fs.existsSync(path.join(this.repoRoot, f)),
    );
  }

  /** Where `name` is defined for `file`: a const of the file, or one it imports by name (followed). */
  definition(file: string, name: string, depth = 0): { file: string; init: ts.Expression } | undefined {
    const source = this.get(file);
    const init = constInitializer(source, name);
    if (init) return { file, init };
    if (depth > 4) return undefined;
    for (const st of source.statements) {
      const named = namedBindings(st);
      const el = named?.elements.find((e) => e.name.text === name);
      const target = el && this.resolve(file, named!.spec);
      if (el && target) return this.definition(target, (el.propertyName ?? el.name).text, depth + 1);
    }
    return undefined;
  }
}

/**
 * The keys of an options object: a literal (spreads followed), or a const that holds one, in this file or
 * imported from another.
 */
function optionKeys(sources: Sources, file: string, arg: ts.Expression, where: string): Set<string> {
  let e = unwrap(arg);
  let at = file;
  if (ts.isIdentifier(e)) {
    const def = sources.definition(file, e.text);
    if (!def) throw new CliSourceShapeError(`${where}: cannot find the const '${e.text}' the options name`);
    e = unwrap(def.init);
    at = def.file;
  }
  if (!ts.isObjectLiteralExpression(e))
    throw new CliSourceShapeError(
      `${where}: the options are not an object literal or a const holding one; teach ` +
        `test/support/docs-check/cli-flags.ts to read them`,
    );
  const keys = new Set<string>();
  for (const p of e.properties) {
    if (ts.isSpreadAssignment(p)) {
      for (const k of optionKeys(sources, at, p.expression, where)) keys.add(k);
      continue;
    }
    const key = propertyName(p);
    if (key === undefined)
      throw new CliSourceShapeError(`${where}: an option key that is not a plain name (${p.getText()})`);
    keys.add(key);
  }
  return keys;
}

const lineOf = (source: ts.SourceFile, n: ts.Node) =>
  source.getLineAndCharacterOfPosition(n.getStart(source)).line + 1;

/** The flags of every `parseFlags(args, options, schema)` call under `node` of `file`. */
function parseFlagsKeys(sources: Sources, file: string, node: ts.Node): Set<string> {
  const source = sources.get(file);
  const keys = new Set<string>();
  walk(node, (n) => {
    if (!ts.isCallExpression(n) || !ts.isIdentifier(n.expression) || n.expression.text !== 'parseFlags')
      return;
    const options = n.arguments[1];
    const where = `${file}:${lineOf(source, n)}`;
    if (!options) throw new CliSourceShapeError(`${where}: parseFlags without an options argument`);
    for (const k of optionKeys(sources, file, options, where)) keys.add(k);
  });
  return keys;
}

/** Functions declared in the file, by name (`function f() {}` or `const f = () => …`). */
function functionsOf(source: ts.SourceFile): Map<string, ts.Node> {
  const out = new Map<string, ts.Node>();
  walk(source, (n) => {
    if (ts.isFunctionDeclaration(n) && n.name) out.set(n.name.text, n);
    if (
      ts.isVariableDeclaration(n) &&
      ts.isIdentifier(n.name) &&
      n.initializer &&
      (ts.isArrowFunction(n.initializer) || ts.isFunctionExpression(n.initializer))
    )
      out.set(n.name.text, n.initializer);
  });
  return out;
}

/**
 * One verb from the source of its file: `exported` is the name of the `CliCommand` object
 * (`export const stackCommand: CliCommand = { name: 'stack', …, run(args) {…} }`).
 */
function readVerb(sources: Sources, file: string, exported: string): CliVerb {
  const source = sources.get(file);
  const init = constInitializer(source, exported);
  const command = init && unwrap(init);
  if (!command || !ts.isObjectLiteralExpression(command))
    throw new CliSourceShapeError(
      `${file}: no object literal '${exported}' (the CliCommand the index registers)`,
    );
  let name: string | undefined;
  let run: ts.Node | undefined;
  for (const p of command.properties) {
    const key = propertyName(p);
    if (key === 'name' && ts.isPropertyAssignment(p) && ts.isStringLiteralLike(p.initializer))
      name = p.initializer.text;
    if (key === 'run') run = p;
  }
  if (name === undefined || run === undefined)
    throw new CliSourceShapeError(`${file}: '${exported}' has no literal name or no run`);

  const flags = parseFlagsKeys(sources, file, source);
  const runFlags = parseFlagsKeys(sources, file, run);
  const functions = functionsOf(source);
  const subcommands = new Map<string, Set<string>>();
  walk(run, (n) => {
    if (!ts.isSwitchStatement(n)) return;
    for (const clause of n.caseBlock.clauses) {
      if (!ts.isCaseClause(clause) || !ts.isStringLiteralLike(clause.expression)) continue;
      const own = new Set<string>();
      walk(clause, (c) => {
        if (ts.isCallExpression(c) && ts.isIdentifier(c.expression)) {
          const fn = functions.get(c.expression.text);
          if (fn) for (const k of parseFlagsKeys(sources, file, fn)) own.add(k);
        }
      });
      subcommands.set(clause.expression.text, own.size > 0 ? own : runFlags);
    }
  });
  return { name, file, flags, subcommands };
}

/**
 * Every verb `cli/commands/index.ts` registers in `commands`, read from the files it imports them from.
 * `given` replaces files' text (repo-relative path → source), for tests.
 */
export function readCliVerbs(repoRoot: string, given?: ReadonlyMap<string, string>): Map<string, CliVerb> {
  const sources = new Sources(repoRoot, given);
  const indexFile = 'cli/commands/index.ts';
  const index = sources.get(indexFile);
  const list = constInitializer(index, 'commands');
  const array = list && unwrap(list);
  if (!array || !ts.isArrayLiteralExpression(array))
    throw new CliSourceShapeError(`${indexFile}: no array literal 'commands'`);
  const verbs = new Map<string, CliVerb>();
  for (const el of array.elements) {
    if (!ts.isIdentifier(el))
      throw new CliSourceShapeError(`${indexFile}: 'commands' holds ${el.getText(index)}`);
    let file: string | undefined;
    for (const st of index.statements) {
      const named = namedBindings(st);
      if (named?.elements.some((e) => e.name.text === el.text)) file = sources.resolve(indexFile, named.spec);
    }
    if (!file)
      throw new CliSourceShapeError(`${indexFile}: '${el.text}' is not imported by name from a repo file`);
    const verb = readVerb(sources, file, el.text);
    verbs.set(verb.name, verb);
  }
  return verbs;
}

/**
 * Flags `cli/main.ts` handles for every verb before the verb sees them (`--help`): the `--x` string literals
 * of that file.
 */
export function readGlobalCliFlags(repoRoot: string, given?: ReadonlyMap<string, string>): Set<string> {
  const source = new Sources(repoRoot, given).get('cli/main.ts');
  const flags = new Set<string>();
  walk(source, (n) => {
    if (ts.isStringLiteralLike(n) && /^--[a-z][a-z0-9-]*$/.test(n.text)) flags.add(n.text.slice(2));
  });
  return flags;
}

/**
 * The flags of a script that parses them with node's `parseArgs({ options: {…} })` (bench and tools
 * scripts), or undefined when it has no such call (it reads `process.argv` itself: not checkable).
 */
export function readParseArgsFlags(repoRoot: string, file: string): Set<string> | undefined {
  const sources = new Sources(repoRoot);
  const source = sources.get(file);
  let keys: Set<string> | undefined;
  walk(source, (n) => {
    if (!ts.isCallExpression(n) || !ts.isIdentifier(n.expression) || n.expression.text !== 'parseArgs')
      return;
    const config = n.arguments[0] && unwrap(n.arguments[0]);
    if (!config || !ts.isObjectLiteralExpression(config)) return;
    const options = config.properties.find((p) => propertyName(p) === 'options');
    if (!options || !ts.isPropertyAssignment(options)) return;
    keys ??= new Set();
    for (const k of optionKeys(sources, file, options.initializer, `${file}:${lineOf(source, n)}`))
      keys.add(k);
  });
  return keys;
}
