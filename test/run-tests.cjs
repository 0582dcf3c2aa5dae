#!/usr/bin/env node
// The one test entry point: node's built-in runner over every test/**/*.test.ts (or the paths given),
// TypeScript loaded through tsx, spec output, and a closing "N passed, N failed, N skipped" line.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function collect(entry, out) {
  const stat = fs.statSync(entry);
  if (stat.isDirectory()) {
    for (const name of fs.readdirSync(entry).sort()) {
      if (name === 'node_modules' || name === 'fixtures') continue;
      collect(path.join(entry, name), out);
    }
  } else if (/\.test\.ts$/.test(entry)) {
    out.push(entry);
  }
  return out;
}

const args = process.argv.slice(2);
const targets = args.length > 0 ? args : ['test'];
const files = targets.flatMap((t) => collect(path.resolve(root, t), []));
if (files.length === 0) {
  console.error(`no test files under ${targets.join(', ')}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${path.join(__dirname, 'support', 'summary-reporter.mjs')}`,
    '--test-reporter-destination=stdout',
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
