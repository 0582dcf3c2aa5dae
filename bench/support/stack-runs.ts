// What the long benchmarks share: `stageprune` CLI calls against the local stack, a run's result as JSON,
// deployed models fetched from the stack's bucket, and latency in interleaved rounds (bench/latency-rounds.ts).

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { parseS3Uri } from '../../runtime/artifacts/s3-uri';
import { createS3Client, S3ArtifactStore } from '../../runtime/artifacts';
import { loadConfig } from '../../runtime/config';

/** `stageprune ARGS` with stdout captured and stderr passed through. */
export function stageprune(args: string[], input?: string, timeoutSeconds?: number) {
  // coreutils `timeout` kills the whole process group (npx, its shell, node), not only npx.
  const command = ['npx', '--no-install', 'stageprune', ...args];
  if (timeoutSeconds) command.unshift('timeout', '-s', 'KILL', String(timeoutSeconds));
  return spawnSync(command[0]!, command.slice(1), {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['pipe', 'pipe', 'inherit'],
    ...(input ? { input } : {}),
  });
}

/**
 * A short call (export, eval, stats) with a deadline and two more tries: Node can hang at exit after its
 * output is written (nodejs/node#54918, seen once in a `model stats` here), which would stall a long
 * benchmark until someone killed it.
 */
export function stageprunePromptly(args: string[], timeoutSeconds = 300) {
  for (let attempt = 1; ; attempt++) {
    const r = stageprune(args, undefined, timeoutSeconds);
    // `timeout -s KILL` kills its own group, itself included: the deadline shows as SIGKILL.
    if (r.signal !== 'SIGKILL' || attempt === 3) return r;
    console.error(
      `stageprune ${args.slice(0, 2).join(' ')}: no exit after ${timeoutSeconds} s; trying again`,
    );
  }
}

/** The last stdout line of a `--json` command, parsed. */
export function lastJson<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

/** The fields of a compressModel result the benchmarks read. */
export interface RunResult {
  runId: string;
  before: { flops: number; params: number; latency_ms: number };
  pruned: { map50_95: number; flops: number };
  after: { flops: number; params: number; map50_95: number; map50: number; latency_ms: number };
  stepSeconds: Record<string, number>;
  artifacts: { deployed: { bucket: string; key: string } };
}

/** `stageprune run ... --workflow-id ID --wait --json`; throws when the run fails. */
export function runCompression(id: string, flags: string[]): RunResult {
  const r = stageprune(['run', ...flags, '--workflow-id', id, '--wait', '--json']);
  if (r.status !== 0) throw new Error(`${id}: stageprune run exited ${r.status}`);
  return lastJson<RunResult>(r.stdout);
}

export const deployedUri = (r: RunResult) =>
  `s3://${r.artifacts.deployed.bucket}/${r.artifacts.deployed.key}`;

/** Downloads an object of the local stack (a run's deployed model) to a file. */
export async function fetchObject(uri: string, file: string): Promise<void> {
  const { bucket, key } = parseS3Uri(uri)!;
  const config = loadConfig();
  const s3 = createS3Client(config.s3);
  try {
    fs.writeFileSync(file, await new S3ArtifactStore(s3, config.s3.bucket).getObject(bucket, key));
  } finally {
    s3.destroy();
  }
}

/**
 * A run's deployed model as a local file: downloaded unless the file is already there with the same
 * content. Artifacts are content-addressed (…/sha256/xx/HASH), so a file left by an earlier run of the
 * same id (a re-run after a fix) is caught by its hash instead of being timed in the new run's place.
 */
export async function localModelCopy(uri: string, file: string): Promise<void> {
  const want = /\/sha256\/[0-9a-f]{2}\/([0-9a-f]{64})$/.exec(uri)?.[1];
  if (fs.existsSync(file)) {
    if (!want) return;
    if (createHash('sha256').update(fs.readFileSync(file)).digest('hex') === want) return;
  }
  await fetchObject(uri, file);
}

export interface RoundLatency {
  medianMs: number;
  minMs: number;
  maxMs: number;
  rounds: number[];
}

/** Every model timed on one CPU thread at batch 1, in shuffled interleaved rounds. */
export function latencyRounds(
  files: Record<string, string>,
  opts: { rounds: number; imgsz: number; threads?: number },
): Record<string, RoundLatency> {
  const r = spawnSync(
    'npx',
    [
      'tsx',
      'bench/latency-rounds.ts',
      '--rounds',
      String(opts.rounds),
      '--threads',
      String(opts.threads ?? 1),
      '--imgsz',
      String(opts.imgsz),
      ...Object.entries(files).flatMap(([k, f]) => ['--model', `${k}=${f}`]),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 },
  );
  if (r.status !== 0) throw new Error(`latency-rounds exited ${r.status}`);
  return (JSON.parse(r.stdout) as { models: Record<string, RoundLatency> }).models;
}
