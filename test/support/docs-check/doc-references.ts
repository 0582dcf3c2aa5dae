// What one Markdown document names that the code must have: repo paths, `stageprune` verbs, subcommands
// and flags, the flags of repo scripts run as `bash x.sh`, `npx tsx x.ts` or `python x.py`, environment
// variables, names (UPPER_SNAKE codes and constants, camelCase and PascalCase identifiers) and `patched()`
// ids. Pure: text in, references out.

/** What a flag belongs to: a verb of the CLI (and its subcommand) or a repo script. */
export type Command = { kind: 'cli'; verb: string; subcommand?: string } | { kind: 'script'; script: string };

export type Reference = { doc: string; line: number; token: string } & (
  | { kind: 'path'; path: string }
  | { kind: 'verb'; verb: string }
  | { kind: 'subcommand'; verb: string; subcommand: string }
  | { kind: 'flag'; flag: string; command: Command }
  /** A flag named on its own (`--no-labels`), with the command named last before it in its paragraph. */
  | { kind: 'bare-flag'; flag: string; near?: Command }
  | { kind: 'env'; name: string }
  | { kind: 'name'; name: string }
  | { kind: 'patch'; id: string }
);

/** What the references are read against: the repo's top-level names (`core`, `bench`, …). */
export interface DocContext {
  topLevel: ReadonlySet<string>;
}

interface Region {
  start: number;
  text: string;
  /** A cell of a table whose first header is `verb`: the span is a `stageprune` command without the name. */
  verbCell?: boolean;
}

const FLAG = /^--([a-z0-9][a-z0-9-]*)(=.*)?$/;
const CLI_PREFIX = new Set(['npx', '--no-install', 'exec', 'nohup', 'time', '$', '&&', '||', ';', '|']);
const SEPARATORS = new Set(['&&', '||', ';', '|', '>', '2>', '>>', '<']);
const SCRIPT_RUNNERS = /^(bash|sh|tsx|node|python|python3|[\w./-]*\/python3?)$/;
const SCRIPT = /\.(sh|ts|py|cjs|mjs)$/;
const UPPER_NAME = /^([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(_\*|\.[\w.]+)?$/;
/** An identifier with a capital inside: `scanSensitivity`, `CompressModelResult` (not `Conv`, not `RBC`). */
const IDENTIFIER = /(?<![\w.$/-])([a-z][a-z0-9]*[A-Z][A-Za-z0-9]*|[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*)\b/g;
const PATCH_WORD = /\bpatch(ed|es)?\b/i;

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

export function readReferences(doc: string, text: string, ctx: DocContext): Reference[] {
  const starts = lineStarts(text);
  const lineAt = (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const lines = text.split('\n');
  const refs: Reference[] = [];
  const add = (offset: number, token: string, r: DistributiveOmit<Reference, 'doc' | 'line' | 'token'>) =>
    refs.push({ doc, line: lineAt(offset), token, ...r } as Reference);

  // Fenced blocks: their lines are commands (shell or none given) or left alone (json, ts, …). The rest of
  // the text, with the blocks blanked out, is prose with inline code spans.
  const paragraphOf: number[] = [];
  const codeRegions: Region[] = [];
  const fencedLines: Region[] = [];
  let prose = '';
  let fence: { marker: string; lang: string } | undefined;
  let paragraph = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const open = /^\s*(```+|~~~+)\s*([\w-]*)/.exec(line);
    if (fence) {
      if (open && open[1]!.startsWith(fence.marker)) fence = undefined;
      else {
        fencedLines.push({ start: starts[i]!, text: line });
        if (['', 'bash', 'sh', 'shell', 'console'].includes(fence.lang))
          codeRegions.push({ start: starts[i]!, text: line });
      }
      prose += ' '.repeat(line.length) + '\n';
      paragraphOf.push(++paragraph);
      continue;
    }
    if (open) {
      fence = { marker: open[1]!, lang: open[2]!.toLowerCase() };
      prose += ' '.repeat(line.length) + '\n';
      paragraphOf.push(++paragraph);
      continue;
    }
    if (/^\s*$/.test(line) || /^\s*(#|\||[-*+] |\d+\. )/.test(line)) paragraph++;
    paragraphOf.push(paragraph);
    prose += line + '\n';
  }
  joinContinuations(codeRegions);

  // Inline code spans, never across a blank line. Cells of a `verb` table: the first cell's spans.
  const spans: Region[] = [];
  for (const m of prose.matchAll(/(`+)([^`]+?)\1(?!`)/g)) {
    if (/\n\s*\n/.test(m[2]!)) continue;
    const start = m.index + m[1]!.length;
    const lineIndex = lineAt(start) - 1;
    const row = lines[lineIndex]!;
    const firstCellEnd = row.indexOf('|', row.indexOf('|') + 1);
    const inVerbCell =
      isVerbTableRow(lines, lineIndex) &&
      start - starts[lineIndex]! < (firstCellEnd < 0 ? Infinity : firstCellEnd);
    spans.push({ start, text: m[2]!, verbCell: inVerbCell });
  }

  // Commands and their flags.
  const commandsAt: { offset: number; paragraph: number; command: Command }[] = [];
  const bare: { offset: number; token: string; flag: string }[] = [];
  for (const region of [...spans, ...codeRegions]) {
    readCommands(region, {
      command: (offset, command, token) => {
        commandsAt.push({ offset, paragraph: paragraphOf[lineAt(offset) - 1]!, command });
        if (command.kind === 'cli') {
          add(offset, token, { kind: 'verb', verb: command.verb });
        }
      },
      subcommand: (offset, verb, subcommand, token) =>
        add(offset, token, { kind: 'subcommand', verb, subcommand }),
      flag: (offset, token, flag, command) => add(offset, token, { kind: 'flag', flag, command }),
      bareFlag: (offset, token, flag) => bare.push({ offset, token, flag }),
      env: (offset, name) => add(offset, name, { kind: 'env', name }),
    });
  }
  for (const b of bare) {
    const paragraphHere = paragraphOf[lineAt(b.offset) - 1];
    const near = commandsAt
      .filter((c) => c.offset < b.offset && c.paragraph === paragraphHere)
      .sort((x, y) => y.offset - x.offset)[0];
    add(b.offset, b.token, { kind: 'bare-flag', flag: b.flag, ...(near ? { near: near.command } : {}) });
  }

  // Paths: in code (spans and blocks) any token under a top-level name; in prose only names with a file
  // extension (`docs/TRAINING.md`), since prose says "train/val". Links resolve against the doc's folder.
  const roots = [...ctx.topLevel].map((r) => r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  if (roots) {
    const pathRe = new RegExp(`(?<![\\w./@:~-])((?:${roots})/[\\w.@/-]*)`, 'g');
    for (const region of [...spans, ...codeRegions]) {
      for (const m of region.text.matchAll(pathRe))
        addPath(region.start + m.index, m[1]!, region.text, m.index);
    }
    const proseOnly = blank(prose, spans);
    for (const m of proseOnly.matchAll(pathRe)) {
      const p = trimPath(m[1]!);
      if (/\.[a-z]{1,5}$/i.test(p)) addPath(m.index, m[1]!, proseOnly, m.index);
    }
  }
  function addPath(offset: number, raw: string, around: string, at: number) {
    let p = trimPath(raw);
    const next = around[at + raw.length];
    // A template (`runs/<id>/…`, `bench/chaos/*.sh`, `datasets/{a,b}`): only its folder is checked.
    if (next !== undefined && '<*{$…'.includes(next)) p = p.slice(0, p.lastIndexOf('/') + 1);
    if (p.includes('...')) p = p.slice(0, p.indexOf('...')).replace(/[^/]*$/, '');
    if (p && p.includes('/')) add(offset, raw, { kind: 'path', path: p });
  }
  for (const m of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1]!.split('#')[0]!;
    if (!target || /^[a-z]+:/i.test(target)) continue;
    const joined = normalise(`${dirname(doc)}/${target}`);
    add(m.index + 2, m[1]!, { kind: 'path', path: joined });
  }

  // Environment variables and UPPER_SNAKE names.
  for (const m of text.matchAll(/\bSTAGEPRUNE_[A-Z0-9_]*[A-Z0-9]\b/g))
    add(m.index, m[0], { kind: 'env', name: m[0] });
  for (const s of spans) {
    const t = s.text.trim();
    const m = UPPER_NAME.exec(t);
    if (!m || m[1]!.startsWith('STAGEPRUNE_')) continue;
    const isEnv = isVariableTableCell(lines, lineAt(s.start) - 1, s.start - starts[lineAt(s.start) - 1]!);
    add(
      s.start,
      t,
      isEnv ? { kind: 'env', name: m[1]! } : { kind: 'name', name: m[1]! + (m[2] === '_*' ? '_*' : '') },
    );
  }

  // camelCase and PascalCase identifiers (`memoKey`, `planned.allocatedFor`, `coupleRange(…)`: a span that
  // is one, the arguments left out), and every such word of a fenced block (diagrams, JSON input, samples).
  for (const s of spans) {
    const call = /^([A-Za-z_$][\w$]*(?:\.[\w$]+)*)(?:\(.*)?$/s.exec(s.text.trim());
    if (call)
      for (const segment of call[1]!.split('.'))
        if (new RegExp(`^${IDENTIFIER.source}$`).test(segment))
          add(s.start + s.text.indexOf(segment), segment, { kind: 'name', name: segment });
  }
  for (const f of fencedLines)
    for (const w of f.text.matchAll(IDENTIFIER)) add(f.start + w.index, w[1]!, { kind: 'name', name: w[1]! });

  // patched() ids: `patched('id')`, or a kebab-case span within a few words of "patch".
  for (const m of text.matchAll(/\b(?:patched|deprecatePatch)\(\s*['"]([^'"]+)['"]/g))
    add(m.index, m[1]!, { kind: 'patch', id: m[1]! });
  for (const s of spans) {
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)+$/.test(s.text)) continue;
    const window = prose.slice(Math.max(0, s.start - 60), s.start + s.text.length + 60);
    if (PATCH_WORD.test(window)) add(s.start, s.text, { kind: 'patch', id: s.text });
  }
  return refs.sort((a, b) => a.line - b.line);
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function isVerbTableRow(lines: string[], index: number): boolean {
  for (let i = index; i >= 0 && /^\s*\|/.test(lines[i]!); i--)
    if (/^\s*\|\s*verb\s*\|/.test(lines[i]!)) return i < index;
  return false;
}

/** A first-column cell of a table whose first header is `variable` (README's environment table). */
function isVariableTableCell(lines: string[], index: number, column: number): boolean {
  const row = lines[index]!;
  if (!/^\s*\|/.test(row) || column > row.indexOf('|', row.indexOf('|') + 1)) return false;
  for (let i = index; i >= 0 && /^\s*\|/.test(lines[i]!); i--)
    if (/^\s*\|\s*variable\s*\|/.test(lines[i]!)) return i < index;
  return false;
}

/** Shell lines ending in `\` continue on the next line: one region, offsets kept. */
function joinContinuations(regions: Region[]): void {
  for (let i = 0; i < regions.length - 1;) {
    const r = regions[i]!;
    const next = regions[i + 1]!;
    if (/\\\s*$/.test(r.text) && next.start === r.start + r.text.length + 1) {
      r.text = r.text.replace(/\\(\s*)$/, ' $1') + ' ' + next.text;
      regions.splice(i + 1, 1);
    } else i++;
  }
}

function blank(text: string, regions: Region[]): string {
  const chars = text.split('');
  for (const r of regions)
    for (let i = r.start; i < r.start + r.text.length; i++) if (chars[i] !== '\n') chars[i] = ' ';
  return chars.join('');
}

const trimPath = (p: string) => p.replace(/[.,:;]+$/, '');
const dirname = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '.');
function normalise(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/') + (p.endsWith('/') ? '/' : '');
}

interface CommandSink {
  command(offset: number, command: Command, token: string): void;
  subcommand(offset: number, verb: string, subcommand: string, token: string): void;
  flag(offset: number, token: string, flag: string, command: Command): void;
  bareFlag(offset: number, token: string, flag: string): void;
  env(offset: number, name: string): void;
}

/**
 * The commands of one code span or shell line. A command starts at `stageprune <verb>` or at a repo
 * script after its runner (`bash x.sh`, `npx tsx x.ts`, `node --import tsx x.ts`, `python x.py`, also
 * inside another command: `with-workers.sh … npx tsx x.ts`); the `--flags` up to the next command or shell
 * separator are its flags. Other programs' flags (`temporal`, `npm`, `kubectl`) are not ours to check.
 * A span that starts with a flag names bare flags.
 */
function readCommands(region: Region, sink: CommandSink): void {
  const text = region.verbCell ? region.text : region.text.replace(/(^|\s)#.*$/, '$1');
  const tokens: { offset: number; raw: string; word: string }[] = [];
  for (const m of text.matchAll(/\S+/g)) {
    const word = m[0].replace(/^[[({'"]+/, '').replace(/[\])}'",;:.]+$/, '');
    tokens.push({ offset: region.start + m.index, raw: m[0], word });
  }
  let current: Command | undefined;
  let expectSub = false;
  let atStart = true;
  const startsBare = region.verbCell !== true && tokens[0] !== undefined && FLAG.test(tokens[0].word);
  if (region.verbCell && tokens[0]) {
    current = { kind: 'cli', verb: tokens[0].word };
    sink.command(tokens[0].offset, current, tokens[0].word);
    expectSub = true;
    tokens.shift();
    atStart = false;
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (SEPARATORS.has(t.raw) || t.raw.endsWith(';')) {
      current = undefined;
      atStart = true;
      continue;
    }
    if (atStart && /^[A-Z][A-Z0-9_]*=/.test(t.word)) {
      sink.env(t.offset, t.word.slice(0, t.word.indexOf('=')));
      continue;
    }
    atStart = false;
    // The CLI where a command starts (`stageprune …`, `npx --no-install stageprune …`), not an argument
    // of another program (`kubectl -n stageprune`).
    const before = tokens[i - 1]?.word;
    const cliStart = before === undefined || tokens[i - 1]!.offset < region.start || CLI_PREFIX.has(before);
    if ((t.word === 'stageprune' && cliStart) || /\/stageprune(\.cjs)?$/.test(t.word)) {
      const verb = tokens[i + 1];
      current = undefined;
      if (verb && /^[a-z][a-z-]*$/.test(verb.word)) {
        current = { kind: 'cli', verb: verb.word };
        sink.command(verb.offset, current, verb.word);
        expectSub = true;
        i++;
      }
      continue;
    }
    if (t.word === 'npx') {
      // npx's own flags (`--no-install`) are npm's; the program it runs starts a command of its own.
      current = undefined;
      continue;
    }
    if (SCRIPT_RUNNERS.test(t.word)) {
      // The script is the runner's first argument that is not a flag (`node --import tsx x.ts`).
      let j = i + 1;
      while (tokens[j] && (tokens[j]!.word.startsWith('-') || tokens[j]!.word === 'tsx')) {
        if (tokens[j]!.word === '--import' || tokens[j]!.word === '-m') j++;
        j++;
      }
      const script = tokens[j];
      if (script && SCRIPT.test(script.word) && !script.word.startsWith('/') && !script.word.includes('$')) {
        current = { kind: 'script', script: normalise(script.word) };
        sink.command(script.offset, current, script.word);
        expectSub = false;
        i = j;
      }
      continue;
    }
    const flag = FLAG.exec(t.word);
    if (flag) {
      const token = t.word.replace(/=.*$/, '');
      if (current) sink.flag(t.offset, token, flag[1]!, current);
      else if (startsBare) sink.bareFlag(t.offset, token, flag[1]!);
      expectSub = false;
      continue;
    }
    if (expectSub && current?.kind === 'cli') {
      for (const alt of t.word.split(/\\?\|/)) {
        if (/^[a-z][a-z-]*$/.test(alt)) sink.subcommand(t.offset, current.verb, alt, alt);
      }
      if (/^[a-z][a-z-]*$/.test(t.word)) current = { ...current, subcommand: t.word };
    }
    expectSub = false;
  }
}
