import type { AllowEntry } from '../support/docs-check/check-references';

/**
 * What the docs may name although the code does not have it. Keep it short: each entry says what the thing
 * is; an entry nothing needs any more fails the docs test, so the list cannot go stale either. `token` is
 * exact, or a prefix when it ends in `*`; `doc` limits an entry to one file.
 */
export const DOCS_ALLOW_LIST: readonly AllowEntry[] = [
  // Made by the user or by a script, not part of a clone.
  {
    kind: 'path',
    token: 'datasets/hardhat/data*',
    why: 'datasets/hardhat/fetch.sh lays the data set out here',
  },
  {
    kind: 'path',
    token: 'bench/results/hardhat-report',
    doc: 'docs/BENCHMARKS.md',
    why: 'the --out of the Hard Hat report run the doc plans (not run yet)',
  },
  // Other programs' flags and variables, named in prose.
  {
    kind: 'bare-flag',
    token: '--db-filename',
    why: "the Temporal CLI dev server's flag (`temporal server start-dev`)",
  },
  { kind: 'bare-flag', token: '--no-maglev', why: "Node's V8 flag, which the CLI and workers start with" },
  {
    kind: 'bare-flag',
    token: '--no-concurrent-sparkplug',
    why: "Node's V8 flag, which the CLI and workers start with",
  },
  { kind: 'name', token: 'AWS_PROFILE', why: "the AWS SDK's credential chain reads it, not our code" },
  { kind: 'name', token: 'IndexError', doc: 'docs/BENCHMARKS.md', why: "Torch-Pruning's Python error" },
  {
    kind: 'name',
    token: 'preferredOutputLocation',
    doc: 'docs/BENCHMARKS.md',
    why: "onnxruntime-node's session option the doc says we cannot use",
  },
];
