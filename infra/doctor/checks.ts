import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { S3ArtifactStore, createS3Client } from '../../runtime/artifacts';
import type { StagepruneConfig } from '../../runtime/config';
import type * as OrtModule from '../../runtime/ort';
import { repoRoot, venvPython } from '../../runtime/paths';
import { splitHostPort } from '../stack/stack-options';
import { temporalHealthy } from '../stack/temporal-server';
import { checkCuda } from './cuda-check';
import { tinyAddModel } from './tiny-model';

export interface CheckResult {
  ok: boolean;
  detail: string;
  /** Passes, but something should be fixed (the detail says what). */
  warning?: boolean;
}

export type Check = (config: StagepruneConfig) => Promise<CheckResult>;

const SETUP_HINT = 'run `bash infra/setup.sh`';
const STACK_HINT = 'run `npx --no-install stageprune stack up`';

/** The Node version infra/setup.sh pins (infra/versions.env), if the file names one. */
export function pinnedNodeVersion(): string | undefined {
  try {
    const env = fs.readFileSync(path.join(repoRoot, 'infra', 'versions.env'), 'utf8');
    return /^NODE_VERSION=(\S+)$/m.exec(env)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Which node runs and whether it will do: below 20.9 nothing runs; below 22 it runs but is past end of life
 * and the AWS SDK's releases from January 2027 need 22; 24 (the pinned version) is what is tested.
 */
export function nodeCheck(version: string, execPath: string, pinned = pinnedNodeVersion()): CheckResult {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const which = `node ${version} (${execPath})`;
  const fix = `${SETUP_HINT}, then \`source infra/env.sh\` to run on the pinned Node ${pinned ?? '24'}`;
  if (major < 20 || (major === 20 && minor < 9))
    return { ok: false, detail: `${which} is too old (stageprune needs >= 20.9); ${fix}` };
  if (major < 22)
    return {
      ok: true,
      warning: true,
      detail: `warning: ${which} is past end of life and the AWS SDK's releases from January 2027 need Node >= 22; ${fix}`,
    };
  if (pinned !== undefined && version !== pinned)
    return { ok: true, detail: `${which}; tested on the pinned ${pinned} (\`source infra/env.sh\`)` };
  return { ok: true, detail: `${which}${pinned === version ? ', the pinned version' : ''}` };
}

export const checkNode: Check = async () => nodeCheck(process.versions.node, process.execPath);

export const checkTypeScript: Check = async () => {
  const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!fs.existsSync(tsc)) return { ok: false, detail: `typescript is not installed; ${SETUP_HINT}` };
  const res = spawnSync(process.execPath, [tsc, '--noEmit', '-p', repoRoot], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (res.status === 0) return { ok: true, detail: 'tsc --noEmit passes' };
  const first = (res.stdout || res.stderr || String(res.error)).trim().split('\n').slice(0, 3).join(' | ');
  return { ok: false, detail: `TypeScript build fails: ${first}` };
};

export const checkOnnxRuntime: Check = async () => {
  try {
    // Loaded here, not at the top, so a broken native binding is a failed check rather than a crashed
    // doctor; through require: the CLI loads TypeScript with tsx's CommonJS hook only, and an import() would
    // go to Node's ESM loader, which cannot find runtime/ort.ts (doctor then reported onnxruntime missing).
    const { ort } = createRequire(__filename)('../../runtime/ort') as typeof OrtModule;
    const session = await ort.InferenceSession.create(tinyAddModel(), { executionProviders: ['cpu'] });
    const x = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [1, 4]);
    const out = await session.run({ x });
    const y = Array.from(out.y!.data as Float32Array);
    await session.release();
    const ok = y.join(',') === '2,4,6,8';
    return {
      ok,
      detail: ok
        ? 'onnxruntime-node ran a tiny model on cpu'
        : `onnxruntime-node gave ${y.join(',')} for x+x`,
    };
  } catch (err) {
    return {
      ok: false,
      detail: `onnxruntime-node failed to load or run: ${(err as Error).message}; ${SETUP_HINT}`,
    };
  }
};

export const checkPython: Check = async () => {
  const python = venvPython();
  if (!fs.existsSync(python))
    return { ok: false, detail: `project venv missing at ${python}; ${SETUP_HINT}` };
  const res = spawnSync(
    python,
    ['-c', 'import torch, onnx, numpy; print(torch.__version__, onnx.__version__)'],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  if (res.status === 0) return { ok: true, detail: `venv python: torch/onnx ${res.stdout.trim()}` };
  return {
    ok: false,
    detail: `torch import failed in ${python}: ${(res.stderr || '').trim().split('\n').pop()}; ${SETUP_HINT}`,
  };
};

export const checkTemporal: Check = async (config) => {
  const [ip, port] = splitHostPort(config.temporal.address, 7233);
  const ok = await temporalHealthy({ ip, port }, 3000);
  return {
    ok,
    detail: ok
      ? `Temporal reachable at ${config.temporal.address} (namespace ${config.temporal.namespace})`
      : `Temporal is not reachable at ${config.temporal.address}; ${STACK_HINT} or set STAGEPRUNE_TEMPORAL_ADDRESS`,
  };
};

export const checkS3: Check = async (config) => {
  const client = createS3Client(config.s3);
  const store = new S3ArtifactStore(client, config.s3.bucket);
  try {
    const probe = new TextEncoder().encode(`stageprune doctor ${Date.now()} ${Math.random()}`);
    const ref = await store.put(probe, { contentType: 'text/plain' });
    const back = await store.get(ref);
    await client.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    const ok = Buffer.from(back).equals(Buffer.from(probe));
    return {
      ok,
      detail: ok
        ? `S3 bucket ${config.s3.bucket} writable at ${config.s3.endpoint}`
        : 'S3 read back different bytes',
    };
  } catch (err) {
    return {
      ok: false,
      detail: `S3 bucket ${config.s3.bucket} is not writable at ${config.s3.endpoint}: ${(err as Error).message}; ${STACK_HINT} or set STAGEPRUNE_S3_ENDPOINT and AWS credentials`,
    };
  } finally {
    client.destroy();
  }
};

/** Every component stageprune needs, in the order a fix would be applied. */
export const checks: Record<string, Check> = {
  node: checkNode,
  typescript: checkTypeScript,
  onnxruntime: checkOnnxRuntime,
  cuda: checkCuda,
  python: checkPython,
  temporal: checkTemporal,
  s3: checkS3,
};
