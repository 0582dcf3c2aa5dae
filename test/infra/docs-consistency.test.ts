// The docs stay true: every repo path, `stageprune` verb, subcommand and flag, repo script flag, environment
// variable, name (UPPER_SNAKE codes, camelCase and PascalCase identifiers) and `patched()` id that a Markdown
// file names exists in the code. The CLI's flags are read from its own `parseFlags` options
// (test/support/docs-check/cli-flags.ts). What the docs may name without the code having it is in
// docs-allow-list.ts.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { commands } from '../../cli/commands';
import { parseRunFlags } from '../../cli/commands/run';
import { repoRoot } from '../../runtime/paths';
import { readCliVerbs, readGlobalCliFlags } from '../support/docs-check/cli-flags';
import { checkReferences, formatFinding, type AllowEntry } from '../support/docs-check/check-references';
import { readReferences } from '../support/docs-check/doc-references';
import { readRepoFacts, type RepoFacts } from '../support/docs-check/repo-facts';
import { DOCS_ALLOW_LIST } from './docs-allow-list';

// Read on first use, inside a test: a CLI source the reader cannot follow fails that test with its message.
let cachedFacts: RepoFacts | undefined;
const repoFacts = () => (cachedFacts ??= readRepoFacts(repoRoot));

/** The findings for one in-memory doc, read against this repository. */
function check(text: string, allow: readonly AllowEntry[] = []) {
  return checkReferences(readReferences('docs/EXAMPLE.md', text, repoFacts()), repoFacts(), allow);
}
const findings = (text: string) => check(text).findings.map(formatFinding);

test('every path, verb, flag, variable, name and patch id the docs name exists in the code', () => {
  const docs = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((d) => d && fs.existsSync(path.join(repoRoot, d)));
  assert.ok(
    docs.includes('README.md') && docs.includes('docs/PIPELINE.md'),
    `docs found: ${docs.join(', ')}`,
  );
  const refs = docs.flatMap((d) =>
    readReferences(d, fs.readFileSync(path.join(repoRoot, d), 'utf8'), repoFacts()),
  );
  const { findings: found, unusedAllowEntries } = checkReferences(refs, repoFacts(), DOCS_ALLOW_LIST);
  assert.deepEqual(
    found.map(formatFinding),
    [],
    'the docs name what the code does not have: fix the doc, or the code where the doc is right',
  );
  assert.deepEqual(
    unusedAllowEntries.map((e) => `${e.kind} ${e.token}${e.doc ? ` (${e.doc})` : ''}`),
    [],
    'test/infra/docs-allow-list.ts has entries nothing needs any more: remove them',
  );
});

test('a stale flag fails, naming the doc, the line and the token', () => {
  assert.deepEqual(
    findings('Start a run:\n\n`stageprune run --model m.onnx --data d/ --wait --no-such-flag`\n'),
    [
      "docs/EXAMPLE.md:3: '--no-such-flag' — stageprune run has no flag --no-such-flag (cli/commands/run.ts reads " +
        [...repoFacts().verbs.get('run')!.flags, ...repoFacts().globalCliFlags]
          .sort()
          .map((f) => `--${f}`)
          .join(', ') +
        ')',
    ],
  );
  // In a shell block, on a continuation line; a subcommand's flags are its own.
  const block = [
    '```bash',
    'npx --no-install stageprune model stats models/yolov8n-bccd.onnx --json \\',
    '  --deploy --fp16',
    'bash infra/setup.sh --cuda',
    '```',
  ].join('\n');
  const got = findings(block);
  assert.equal(got.length, 2, got.join('\n'));
  assert.match(
    got[0]!,
    /^docs\/EXAMPLE\.md:3: '--fp16' — stageprune model stats has no flag --fp16 \(cli\/commands\/model\.ts/,
  );
  assert.match(
    got[1]!,
    /^docs\/EXAMPLE\.md:4: '--cuda' — infra\/setup\.sh has no flag --cuda \(infra\/setup\.sh reads --gpu, --no-gpu\)/,
  );
  // A flag named on its own must be one some command has.
  assert.deepEqual(findings('Use (`--no-labels`) or (`--no-such-flag`).'), [
    "docs/EXAMPLE.md:1: '--no-such-flag' — no stageprune verb, nor any script the docs name, has this flag",
  ]);
});

test('flags the code has pass, in spans, shell blocks, verb tables and other programs', () => {
  const doc = [
    '| verb | what |',
    '|---|---|',
    '| `stack up\\|down\\|status [--profile dev\\|production] [--json]` | the stack |',
    '',
    "Run `npx --no-install stageprune run --model FILE --target-flops 0.5 --planner-options '{}'`, then `--wait`.",
    '```bash',
    'STAGEPRUNE_HOME=/tmp/x bash bench/pareto.sh --budgets 0.5 --tag=-x --out tmp/p   # a comment --not-a-flag',
    'kubectl -n stageprune create secret generic s --from-literal=a=b',
    '.stageprune/venv/bin/temporal workflow start --type compressModel --task-queue stageprune-cpu',
    '```',
  ].join('\n');
  assert.deepEqual(findings(doc), []);
});

test('stale verbs, subcommands, paths, variables, names and patch ids fail', () => {
  const doc = [
    '`stageprune shrink m.onnx` and `stageprune model shrink m.onnx`;',
    'see `workflows/no-such-file.ts` and [the guide](NO-SUCH.md);',
    'set `STAGEPRUNE_NO_SUCH_VARIABLE`; it fails with `NO_SUCH_CODE`;',
    "the run goes behind `patched('no-such-patch')`, or the `other-stale-id` patch marker;",
    '`compressModel` calls `noSuchActivity(input)`, `planned.noSuchField` and:',
    '```',
    '  compressModel ─► staleChildWorkflow ─► finetune',
    '```',
  ].join('\n');
  const got = findings(doc);
  const tokens = got.map((f) => f.split(' — ')[0]);
  assert.deepEqual(tokens, [
    "docs/EXAMPLE.md:1: 'shrink'",
    "docs/EXAMPLE.md:1: 'shrink'",
    "docs/EXAMPLE.md:2: 'workflows/no-such-file.ts'",
    "docs/EXAMPLE.md:2: 'NO-SUCH.md'",
    "docs/EXAMPLE.md:3: 'STAGEPRUNE_NO_SUCH_VARIABLE'",
    "docs/EXAMPLE.md:3: 'NO_SUCH_CODE'",
    "docs/EXAMPLE.md:4: 'no-such-patch'",
    "docs/EXAMPLE.md:4: 'other-stale-id'",
    "docs/EXAMPLE.md:5: 'noSuchActivity'",
    "docs/EXAMPLE.md:5: 'noSuchField'",
    "docs/EXAMPLE.md:7: 'staleChildWorkflow'",
  ]);
  assert.match(got[0]!, /stageprune has no verb 'shrink' \(cli\/commands\/index\.ts registers .*\brun\b/);
  assert.match(
    got[1]!,
    /stageprune model has no subcommand 'shrink' \(cli\/commands\/model\.ts has build, export, stats\)/,
  );
});

test('an allow-list entry excuses what it names, and one nothing needs is reported', () => {
  const allow: AllowEntry[] = [
    { kind: 'path', token: 'tmp/made-by-the-user/*', why: 'test' },
    { kind: 'path', token: 'workflows/gone.ts', why: 'test' },
    { kind: 'bare-flag', token: '--external', doc: 'docs/OTHER.md', why: 'test' },
  ];
  const { findings: found, unusedAllowEntries } = check('`workflows/gone.ts`, `--external`', allow);
  assert.deepEqual(
    found.map((f) => f.token),
    ['--external'],
  );
  assert.deepEqual(
    unusedAllowEntries.map((e) => e.token),
    ['tmp/made-by-the-user/*', '--external'],
  );
});

test("the CLI's flags are read from its parseFlags options (consts, spreads, imports, subcommands) and main.ts", () => {
  const sources = new Map([
    ['cli/commands/index.ts', "import { aCommand } from './a';\nexport const commands = [aCommand];\n"],
    ['cli/common-flags.ts', "export const commonFlags = { data: { type: 'string' } } as const;\n"],
    [
      'cli/commands/a.ts',
      [
        "import { commonFlags } from '../common-flags';",
        "const options = { ...commonFlags, out: { type: 'string' } } as const;",
        "function build(args: string[]) { return parseFlags(args, { arch: { type: 'string' } }, s); }",
        'export const aCommand: CliCommand = {',
        "  name: 'a',",
        '  async run(args) {',
        '    const { flags } = parseFlags(args, options, s);',
        "    switch (args[0]) { case 'build': return build(args); case 'up': return 0; }",
        '  },',
        '};',
      ].join('\n'),
    ],
  ]);
  sources.set('cli/main.ts', "if (rest.includes('--help') || rest.includes('--verbose')) usage();\n");
  assert.deepEqual([...readGlobalCliFlags('/nonexistent', sources)].sort(), ['help', 'verbose']);
  const verb = readCliVerbs('/nonexistent', sources).get('a')!;
  assert.deepEqual([...verb.flags].sort(), ['arch', 'data', 'out']);
  assert.deepEqual([...verb.subcommands.get('build')!], ['arch']);
  assert.deepEqual([...verb.subcommands.get('up')!].sort(), ['data', 'out']);
});

test('every flag read for `run` is one its parser accepts, and no other is', () => {
  const read = repoFacts().verbs.get('run')!.flags;
  assert.ok(read.has('target-flops') && read.has('wait'), [...read].join(' '));
  for (const flag of read) {
    try {
      parseRunFlags([`--${flag}`, '1']);
    } catch (err) {
      assert.doesNotMatch(String(err), /Unknown option/, `--${flag}`);
    }
  }
  assert.throws(() => parseRunFlags(['--no-such-flag']), /Unknown option '--no-such-flag'/);
});

test("each verb's --help names the flags it parses, and only those", () => {
  const problems: string[] = [];
  for (const command of commands) {
    const { flags: parsed, file } = repoFacts().verbs.get(command.name)!;
    const named = new Set([...command.usage.matchAll(/--([a-z0-9][a-z0-9-]*)/g)].map((m) => m[1]!));
    for (const f of named)
      if (!parsed.has(f) && !repoFacts().globalCliFlags.has(f))
        problems.push(`${file}: the usage names --${f}, which it does not parse`);
    for (const f of parsed)
      if (!named.has(f)) problems.push(`${file}: --${f} is parsed but not in the usage`);
  }
  assert.deepEqual(problems, []);
});
