#!/usr/bin/env node
// The one test entry point: node's built-in runner over every test/**/*.test.ts (or the paths given),
// TypeScript loaded through tsx, spec output, and a closing "N passed, N failed, N skipped" line.
'use strict';
const { spawn } = require('node:child_process');
const { setTimeout, clearTimeout } = require('node:timers');
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

// No test may hang CI. Each test (and hook) fails after STAGEPRUNE_TEST_TIMEOUT_MS (node's --test-timeout,
// default 15 min: the slowest integration test runs a few tiny pipelines); a test file's process that a leaked
// handle keeps alive after its tests are done is ended (support/exit-when-done.mjs); and the whole run is
// killed with its process
// group (test files, trainers, workers; the test stacks' servers detach, and a timed-out test still runs its
// suite's after hook, which stops them) after STAGEPRUNE_TEST_RUN_TIMEOUT_MS (default 150 min), saying so,
// with the closing line CI reads.
const minutes = (ms) => `${(ms / 60_000).toFixed(ms < 60_000 ? 2 : 0)} min`;
const testTimeoutMs = Number(process.env.STAGEPRUNE_TEST_TIMEOUT_MS || 15 * 60_000);
const runTimeoutMs = Number(process.env.STAGEPRUNE_TEST_RUN_TIMEOUT_MS || 150 * 60_000);

// A runner started from inside a test (the runner's own test) must not report to that test's parent.
const env = { ...process.env };
delete env.NODE_TEST_CONTEXT;

const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    `--test-timeout=${testTimeoutMs}`,
    '--import',
    path.join(__dirname, 'support', 'exit-when-done.mjs'),
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${path.join(__dirname, 'support', 'summary-reporter.mjs')}`,
    '--test-reporter-destination=stdout',
    ...files,
  ],
  { cwd: root, stdio: 'inherit', env, detached: true },
);

let killedBy;
const killGroup = (signal) => {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
};
const guard = setTimeout(() => {
  killedBy = 'guard';
  console.error(
    `\nrun-tests: the run exceeded ${minutes(runTimeoutMs)} (STAGEPRUNE_TEST_RUN_TIMEOUT_MS); killing it`,
  );
  killGroup('SIGTERM');
  setTimeout(() => killGroup('SIGKILL'), 10_000).unref();
}, runTimeoutMs);
// The child runs in its own process group, so a Ctrl-C or a CI cancel reaches it only through us.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killedBy = signal;
    killGroup(signal);
    setTimeout(() => killGroup('SIGKILL'), 10_000).unref();
  });
}
child.on('exit', (code) => {
  clearTimeout(guard);
  // Whatever the tests left running dies with the run.
  killGroup('SIGKILL');
  if (killedBy === 'guard') {
    console.log(`\n0 passed, 1 failed, 0 skipped (the run was killed after ${minutes(runTimeoutMs)})`);
    process.exit(1);
  }
  process.exit(code ?? 1);
});
