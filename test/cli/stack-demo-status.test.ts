// `stack`, `doctor`, `demo` and `status` as the README and their usage texts describe them, through the real
// CLI (bin/stageprune.cjs, one process per call: STAGEPRUNE_HOME is read once per process) on a stack of
// their own (a temporary STAGEPRUNE_HOME, free ports, its own bucket and queues). The demo runs on the tiny
// 64-px model and an 8-image BCCD (STAGEPRUNE_DEMO_MODEL, STAGEPRUNE_BCCD) so it takes seconds, not minutes.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, s3ServerBinary, temporalBinary, venvPython } from '../../runtime/paths';
import { miniBccd } from '../support/mini-bccd';
import { tinyDetector } from '../support/pipeline-env';
import { freePort } from '../support/test-stack';
import { pollUntil } from '../support/deadline';
import { WorkerProcess } from '../support/worker-process';
import { loadConfig } from '../../runtime/config';

interface Cli {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Cli> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'stageprune.cjs'), ...args], {
      cwd: repoRoot,
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A stuck command fails this test with what it printed, instead of hanging it.
    const timer = setTimeout(() => child.kill('SIGKILL'), 5 * 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A line of the Temporal SDK's logger (`<time> [WARN] Query not found …`): the log file's, never the terminal's. */
const SDK_LOG_LINE = /\[(TRACE|DEBUG|INFO|WARN|ERROR)\] /;

const json = (r: Cli) => JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('stack, doctor, demo and status on a stack of their own', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let uiPort: number;
  let runId: string;

  before(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-cli-stack-'));
    const [temporalPort, s3Port, consolePort] = await Promise.all([freePort(), freePort(), freePort()]);
    uiPort = await freePort();
    env = {
      ...process.env,
      STAGEPRUNE_HOME: home,
      // The binaries and the venv stay the repository's (they are found under STAGEPRUNE_HOME otherwise).
      STAGEPRUNE_TEMPORAL_BIN: temporalBinary(),
      STAGEPRUNE_S3_BIN: s3ServerBinary(),
      STAGEPRUNE_PYTHON: venvPython(),
      STAGEPRUNE_TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      STAGEPRUNE_TEMPORAL_UI_PORT: String(uiPort),
      STAGEPRUNE_S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
      STAGEPRUNE_S3_CONSOLE_PORT: String(consolePort),
      STAGEPRUNE_S3_BUCKET: 'stageprune-cli-test',
      STAGEPRUNE_CPU_QUEUE: `cli-cpu-${temporalPort}`,
      STAGEPRUNE_GPU_QUEUE: `cli-gpu-${temporalPort}`,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      STAGEPRUNE_BCCD: miniBccd(path.join(home, 'mini-bccd')),
      STAGEPRUNE_DEMO_MODEL: tinyDetector(path.join(home, 'tiny.onnx')),
    };
  });

  after(async () => {
    if (env) await cli(env, 'stack', 'down');
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  test('stack status before up: both services stopped, exit 1', async () => {
    const r = await cli(env, 'stack', 'status', '--json');
    assert.equal(r.code, 1, r.stderr);
    const s = json(r);
    assert.equal(s.temporal.state, 'stopped');
    assert.equal(s.s3.state, 'stopped');
    assert.equal(s.temporal.healthy, false);
  });

  test('doctor without a stack exits non-zero naming Temporal and S3 and how to fix them', async () => {
    const r = await cli(env, 'doctor', '--json');
    assert.equal(r.code, 1, r.stdout);
    const d = json(r);
    assert.equal(d.ok, false);
    for (const name of ['temporal', 's3']) {
      assert.equal(d.checks[name].ok, false, name);
      assert.match(d.checks[name].detail, /stageprune stack up/, name);
    }
    for (const name of ['node', 'onnxruntime', 'python'])
      assert.equal(d.checks[name].ok, true, d.checks[name].detail);
  });

  test('stack up starts both services; a second up starts nothing', async () => {
    const first = await cli(env, 'stack', 'up', '--json');
    assert.equal(first.code, 0, first.stderr);
    const a = json(first);
    assert.deepEqual([a.temporal.state, a.s3.state], ['started', 'started']);
    assert.ok(a.temporal.healthy && a.s3.healthy);
    assert.equal(a.s3.bucket, 'stageprune-cli-test');
    const again = json(await cli(env, 'stack', 'up', '--json'));
    assert.deepEqual([again.temporal.state, again.s3.state], ['running', 'running']);
    assert.deepEqual([again.temporal.pid, again.s3.pid], [a.temporal.pid, a.s3.pid]);
    const status = await cli(env, 'stack', 'status');
    assert.equal(status.code, 0);
    assert.match(status.stdout, /^temporal\s+running\s+healthy/m);
    assert.match(status.stdout, /^s3\s+running\s+healthy .*bucket=stageprune-cli-test/m);
  });

  test('doctor with the stack up: Temporal and S3 pass; the exit code says whether everything does', async () => {
    const r = await cli(env, 'doctor');
    assert.match(r.stdout, /^ok\s+temporal\s+Temporal reachable/m);
    assert.match(r.stdout, /^ok\s+s3\s+S3 bucket stageprune-cli-test writable/m);
    const failing = [...r.stdout.matchAll(/^FAIL\s+(\S+)/gm)].map((m) => m[1]);
    assert.equal(r.code, failing.length === 0 ? 0 : 1, r.stdout);
    if (failing.length > 0) assert.match(r.stdout, new RegExp(`doctor: failing: ${failing.join(', ')}`));
  });

  test('demo runs compressModel end to end and prints the before/after figures', async () => {
    const r = await cli(env, 'demo', '--json');
    assert.equal(r.code, 0, r.stderr);
    const d = json(r);
    assert.deepEqual(Object.keys(d), ['run_id', 'before', 'after']);
    assert.ok(d.after.params < d.before.params, 'the demo prunes');
    assert.ok(d.after.flops < d.before.flops);
    for (const k of ['map50_95', 'map50', 'latency_ms']) assert.equal(typeof d.after[k], 'number', k);
    assert.match(r.stderr, /stack: temporal running/, 'it found the stack running and used it');
    // The terminal shows progress and results; the in-process workers' logs (INFO and up) go to the file.
    assert.doesNotMatch(`${r.stdout}\n${r.stderr}`, SDK_LOG_LINE);
    const logFile = path.join(home, 'logs', 'demo-workers.log');
    assert.ok(r.stderr.includes(`worker logs: ${logFile}`), r.stderr);
    assert.match(fs.readFileSync(logFile, 'utf8'), /\[INFO\] Worker state changed/);
    runId = d.run_id as string;
  });

  test("demo --verbose shows the workers' log lines on stderr as well", async () => {
    const r = await cli(env, 'demo', '--json', '--verbose');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\[INFO\] Worker state changed/);
    assert.deepEqual(
      Object.keys(json(r)),
      ['run_id', 'before', 'after'],
      'stdout is still the one JSON line',
    );
  });

  test("status RUN_ID shows the run's state, progress and result; the link uses the configured UI port", async () => {
    assert.ok(runId, 'the demo test ran first');
    // A closed run's progress query is answered by a worker, as in a deployment: run the cpu worker.
    const worker = new WorkerProcess(
      'cpu',
      loadConfig(env),
      path.join(home, 'work'),
      path.join(home, 'worker.log'),
    );
    worker.start();
    try {
      let last: Cli | undefined;
      const r = await pollUntil(
        'status --json with the progress a worker answers',
        async () => {
          last = await cli(env, 'status', runId, '--json');
          return json(last).progress ? last : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 1000, lastValue: () => last?.stdout },
      );
      assert.equal(r.code, 0, r.stderr);
      const s = json(r);
      assert.equal(s.run_id, runId);
      assert.equal(s.status, 'COMPLETED');
      assert.equal(s.progress.stage, 'done');
      assert.equal(s.progress.percent, 100);
      assert.equal(s.result.runId, runId);
      assert.ok(s.result.after.params < s.result.before.params);
      const text = await cli(env, 'status', runId);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, new RegExp(`^${runId}: COMPLETED$`, 'm'));
      assert.match(text.stdout, /done/);
      assert.match(text.stdout, new RegExp(`:${uiPort}/namespaces/default/workflows/${runId}$`, 'm'));
    } finally {
      await worker.stop();
    }
    const usage = await cli(env, 'status');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /usage: stageprune status RUN_ID/);
  });

  test('a failed run: run --wait, status and report print its root cause in one line and exit 1; --json prints it as JSON', async () => {
    const corrupt = path.join(home, 'corrupt.onnx');
    fs.writeFileSync(corrupt, 'this is not an onnx model');
    const failedId = `failed-run-${Date.now()}`;
    const ui = `http://127.0.0.1:${uiPort}/namespaces/default/workflows/${failedId}`;
    const oneLine = new RegExp(
      `^${failedId} FAILED in importModel: ONNX_[A-Z_]+: .+ \\(${ui.replace(/[.]/g, '\\.')}\\)$`,
    );
    const noStack = (r: Cli) => {
      assert.doesNotMatch(`${r.stdout}\n${r.stderr}`, /^\s+at /m, 'no stack trace');
      assert.doesNotMatch(`${r.stdout}\n${r.stderr}`, SDK_LOG_LINE, 'no SDK log line');
    };
    // importModel runs on the cpu queue: a cpu worker is all the run needs to fail.
    const worker = new WorkerProcess(
      'cpu',
      loadConfig(env),
      path.join(home, 'work'),
      path.join(home, 'worker.log'),
    );
    worker.start();
    try {
      const data = env.STAGEPRUNE_BCCD!;
      const run = await cli(
        env,
        'run',
        '--model',
        corrupt,
        '--data',
        data,
        '--workflow-id',
        failedId,
        '--wait',
      );
      assert.equal(run.code, 1, run.stderr);
      noStack(run);
      assert.equal(run.stdout, '');
      const failures = run.stderr.split(/[\r\n]/).filter((l) => l.startsWith(failedId));
      assert.equal(failures.length, 1, run.stderr);
      assert.match(failures[0]!, oneLine);

      const status = await cli(env, 'status', failedId);
      assert.equal(status.code, 1, status.stderr);
      noStack(status);
      assert.equal(status.stderr, '');
      assert.match(status.stdout.trimEnd(), oneLine, 'status prints the one line and nothing else');
      const statusJson = await cli(env, 'status', failedId, '--json');
      assert.equal(statusJson.code, 1);
      const s = JSON.parse(statusJson.stdout) as Record<string, unknown>;
      assert.equal(s.run_id, failedId);
      assert.equal(s.status, 'FAILED');
      assert.match(String(s.code), /^ONNX_/);
      assert.equal(s.ui, ui);

      const report = await cli(env, 'report', failedId);
      assert.equal(report.code, 1, report.stderr);
      noStack(report);
      assert.match(report.stderr.trimEnd(), oneLine, 'report prints the one line and nothing else');
      const reportJson = await cli(env, 'report', failedId, '--json');
      assert.equal(reportJson.code, 1);
      assert.deepEqual(JSON.parse(reportJson.stdout), s, 'report and status say the same');

      const again = `${failedId}-json`;
      const runJson = await cli(
        env,
        'run',
        '--model',
        corrupt,
        '--data',
        data,
        '--workflow-id',
        again,
        '--wait',
        '--json',
      );
      assert.equal(runJson.code, 1, runJson.stderr);
      noStack(runJson);
      assert.equal(JSON.parse(runJson.stdout).run_id, again, 'stdout is the one JSON line');
    } finally {
      await worker.stop();
    }
  });

  test('stack down stops both; a second down finds nothing running', async () => {
    const r = await cli(env, 'stack', 'down', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(json(r), { temporal: true, s3: true });
    assert.deepEqual(json(await cli(env, 'stack', 'down', '--json')), { temporal: false, s3: false });
    const text = await cli(env, 'stack', 'down');
    assert.match(text.stdout, /temporal was not running/);
    assert.equal((await cli(env, 'stack', 'status')).code, 1);
  });
});
