// Reads the docs' references against the repository: each one the code does not have is a finding that
// names the doc, the line and the token, and says what the code has instead.

import type { Command, Reference } from './doc-references';
import type { RepoFacts } from './repo-facts';

/** A thing the docs may name although the code does not have it; `why` says what it is. */
export interface AllowEntry {
  kind: Reference['kind'];
  /** Exact, or a prefix when it ends in `*` (`tmp/*`, `--temporal-*`). */
  token: string;
  /** Only in this doc (repo-relative); every doc when absent. */
  doc?: string;
  why: string;
}

export interface Finding {
  doc: string;
  line: number;
  token: string;
  message: string;
}

export const formatFinding = (f: Finding) => `${f.doc}:${f.line}: '${f.token}' — ${f.message}`;

/** What an allow-list entry is matched against, per kind of reference. */
function subject(r: Reference): string {
  switch (r.kind) {
    case 'path':
      return r.path;
    case 'verb':
      return r.verb;
    case 'subcommand':
      return `${r.verb} ${r.subcommand}`;
    case 'flag':
    case 'bare-flag':
      return `--${r.flag}`;
    case 'env':
    case 'name':
      return r.name;
    case 'patch':
      return r.id;
  }
}

const matches = (e: AllowEntry, r: Reference) =>
  e.kind === r.kind &&
  (e.doc === undefined || e.doc === r.doc) &&
  (e.token.endsWith('*') ? subject(r).startsWith(e.token.slice(0, -1)) : subject(r) === e.token);

const list = (xs: Iterable<string>, max = 12) => {
  const all = [...xs].sort();
  return all.length > max ? `${all.slice(0, max).join(', ')}, …` : all.join(', ');
};

const describe = (c: Command) =>
  c.kind === 'cli' ? `stageprune ${c.verb}${c.subcommand ? ` ${c.subcommand}` : ''}` : c.script;

export function checkReferences(
  refs: readonly Reference[],
  facts: RepoFacts,
  allow: readonly AllowEntry[],
): { findings: Finding[]; unusedAllowEntries: AllowEntry[] } {
  const used = new Set<AllowEntry>();
  const findings: Finding[] = [];

  /** The flags a command takes, or undefined where its source does not say (nothing to check). */
  const flagsOf = (c: Command): { flags: ReadonlySet<string>; where: string } | undefined => {
    if (c.kind === 'script') {
      const flags = facts.scriptFlags(c.script);
      return flags && { flags, where: c.script };
    }
    const verb = facts.verbs.get(c.verb);
    if (!verb) return undefined;
    const sub = c.subcommand !== undefined ? verb.subcommands.get(c.subcommand) : undefined;
    return { flags: new Set([...(sub ?? verb.flags), ...facts.globalCliFlags]), where: verb.file };
  };

  let anyFlags: Set<string> | undefined;
  /** The flags of every verb and of every repo script the docs name (as a command or a path). */
  const anyCommandFlags = (): Set<string> => {
    if (anyFlags) return anyFlags;
    anyFlags = new Set();
    for (const f of facts.globalCliFlags) anyFlags.add(f);
    for (const v of facts.verbs.values()) for (const f of v.flags) anyFlags.add(f);
    const scripts = new Set<string>();
    for (const r of refs) {
      if (r.kind === 'path') scripts.add(r.path);
      if (r.kind === 'flag' && r.command.kind === 'script') scripts.add(r.command.script);
    }
    for (const s of scripts) for (const f of facts.scriptFlags(s) ?? []) anyFlags.add(f);
    return anyFlags;
  };

  const problem = (r: Reference): string | undefined => {
    switch (r.kind) {
      case 'path': {
        const p = r.path.replace(/\/$/, '');
        if (facts.files.has(p) || facts.folders.has(p)) return undefined;
        return 'no such file or folder in the repository';
      }
      case 'verb':
        return facts.verbs.has(r.verb)
          ? undefined
          : `stageprune has no verb '${r.verb}' (cli/commands/index.ts registers ${list(facts.verbs.keys())})`;
      case 'subcommand': {
        const verb = facts.verbs.get(r.verb);
        if (!verb || verb.subcommands.size === 0 || verb.subcommands.has(r.subcommand)) return undefined;
        return `stageprune ${r.verb} has no subcommand '${r.subcommand}' (${verb.file} has ${list(verb.subcommands.keys())})`;
      }
      case 'flag': {
        const known = flagsOf(r.command);
        if (!known || known.flags.has(r.flag)) return undefined;
        return `${describe(r.command)} has no flag --${r.flag} (${known.where} reads ${list(
          [...known.flags].map((f) => `--${f}`),
          40,
        )})`;
      }
      case 'bare-flag': {
        // A flag named on its own may belong to any command the docs run: it must be a flag of one of
        // them, preferably of the one named last before it.
        const near = r.near && flagsOf(r.near);
        if (near?.flags.has(r.flag) || anyCommandFlags().has(r.flag)) return undefined;
        return near
          ? `the command named before it, ${describe(r.near!)}, has no flag --${r.flag} (${near.where}), nor has any other verb or script the docs name`
          : 'no stageprune verb, nor any script the docs name, has this flag';
      }
      case 'env':
        return facts.sourceWords.has(r.name) ? undefined : 'no source file reads or sets this variable';
      case 'name': {
        if (r.name.endsWith('_*')) {
          const prefix = r.name.slice(0, -1);
          for (const w of facts.sourceWords) if (w.startsWith(prefix)) return undefined;
          return `no name in the source starts with ${prefix}`;
        }
        return facts.sourceWords.has(r.name) ? undefined : 'no source file has this name';
      }
      case 'patch':
        return facts.patchIds.has(r.id)
          ? undefined
          : `no workflow calls patched('${r.id}') (workflows/ has ${list(facts.patchIds) || 'none'})`;
    }
  };

  for (const r of refs) {
    const message = problem(r);
    if (message === undefined) continue;
    const entry = allow.find((e) => matches(e, r));
    if (entry) {
      used.add(entry);
      continue;
    }
    findings.push({ doc: r.doc, line: r.line, token: r.token, message });
  }
  return { findings, unusedAllowEntries: allow.filter((e) => !used.has(e)) };
}
