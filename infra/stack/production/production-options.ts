import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SEARCH_ATTRIBUTES } from '../../../common/constants';
import type { StagepruneConfig } from '../../../runtime/config';
import { stateDir as defaultStateDir } from '../../../runtime/paths';
import { splitHostPort } from '../stack-options';

/**
 * The production-shaped local stack: a Temporal cluster (the server built from its Go module) on
 * PostgreSQL, the Web UI server, MinIO erasure-coded over several drives, and a fleet of worker processes.
 * Addresses come from the same configuration as the dev stack; everything binds to loopback.
 */
export interface ProductionOptions {
  /** State of this profile: `<STAGEPRUNE_HOME>/production`. */
  root: string;
  binDir: string;
  postgres: { binDir: string; port: number; user: string; password: string; dataDir: string };
  temporal: {
    ip: string;
    /** Frontend gRPC; the other services' ports follow from it (Temporal's own defaults for 7233). */
    port: number;
    namespace: string;
    uiPort: number;
    searchAttributes: readonly { name: string; type: string }[];
  };
  s3: {
    ip: string;
    port: number;
    consolePort: number;
    endpoint: string;
    bucket: string;
    rootUser: string;
    rootPassword: string;
    drives: string[];
  };
  workers: { cpu: number; gpu: number; cpuActivities?: number; gpuActivities?: number; workDir: string };
  /** The environment every worker process gets (addresses, bucket, queues, credentials). */
  workerEnv: NodeJS.ProcessEnv;
}

const port = z.coerce.number().int().min(1).max(65535);
const envSchema = z.object({
  STAGEPRUNE_PG_PORT: port.default(55432),
  STAGEPRUNE_PG_USER: z.string().min(1).default('temporal'),
  /** Loopback only; set another for anything shared. */
  STAGEPRUNE_PG_PASSWORD: z.string().min(1).default('temporal-local'),
  STAGEPRUNE_S3_DRIVES: z.coerce.number().int().min(4).max(16).default(4),
  STAGEPRUNE_CPU_WORKERS: z.coerce.number().int().min(0).max(64).default(2),
  STAGEPRUNE_GPU_WORKERS: z.coerce.number().int().min(0).max(64).default(2),
});

export function productionOptionsFromConfig(
  config: StagepruneConfig,
  overrides: { cpuWorkers?: number; gpuWorkers?: number; stateDir?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
): ProductionOptions {
  const e = envSchema.parse(env);
  const root = path.join(overrides.stateDir ?? defaultStateDir, 'production');
  const [ip, temporalPort] = splitHostPort(config.temporal.address, 7233);
  const s3Url = new URL(config.s3.endpoint);
  const drives = Array.from({ length: e.STAGEPRUNE_S3_DRIVES }, (_, i) =>
    path.join(root, 's3', `drive${i + 1}`),
  );
  return {
    root,
    binDir: path.join(overrides.stateDir ?? defaultStateDir, 'bin'),
    postgres: {
      binDir: postgresBinDir(),
      port: e.STAGEPRUNE_PG_PORT,
      user: e.STAGEPRUNE_PG_USER,
      password: e.STAGEPRUNE_PG_PASSWORD,
      dataDir: path.join(root, 'postgres', 'data'),
    },
    temporal: {
      ip: ip === 'localhost' ? '127.0.0.1' : ip,
      port: temporalPort,
      namespace: config.temporal.namespace,
      uiPort: config.temporal.uiPort,
      searchAttributes: Object.values(SEARCH_ATTRIBUTES),
    },
    s3: {
      ip: s3Url.hostname === 'localhost' ? '127.0.0.1' : s3Url.hostname,
      port: Number(s3Url.port || 80),
      consolePort: config.s3.consolePort,
      endpoint: config.s3.endpoint,
      bucket: config.s3.bucket,
      rootUser: config.s3.localRoot.user,
      rootPassword: config.s3.localRoot.password,
      drives,
    },
    workers: {
      cpu: overrides.cpuWorkers ?? e.STAGEPRUNE_CPU_WORKERS,
      gpu: overrides.gpuWorkers ?? e.STAGEPRUNE_GPU_WORKERS,
      workDir: path.join(root, 'work'),
    },
    workerEnv: {
      STAGEPRUNE_TEMPORAL_ADDRESS: config.temporal.address,
      STAGEPRUNE_TEMPORAL_NAMESPACE: config.temporal.namespace,
      STAGEPRUNE_S3_ENDPOINT: config.s3.endpoint,
      STAGEPRUNE_S3_BUCKET: config.s3.bucket,
      STAGEPRUNE_CPU_QUEUE: config.taskQueues.cpu,
      STAGEPRUNE_GPU_QUEUE: config.taskQueues.gpu,
      STAGEPRUNE_LOCAL_S3_USER: config.s3.localRoot.user,
      STAGEPRUNE_LOCAL_S3_PASSWORD: config.s3.localRoot.password,
    },
  };
}

/** The newest PostgreSQL server the Debian packages installed (`/usr/lib/postgresql/<major>/bin`). */
export function postgresBinDir(): string {
  if (process.env.STAGEPRUNE_PG_BIN) return process.env.STAGEPRUNE_PG_BIN;
  const base = '/usr/lib/postgresql';
  const majors = fs.existsSync(base)
    ? fs
        .readdirSync(base)
        .filter((d) => /^\d+$/.test(d))
        .sort((a, b) => Number(a) - Number(b))
    : [];
  return path.join(base, majors.at(-1) ?? '15', 'bin');
}

/** Every port the Temporal services use, from the frontend's (7233 → Temporal's defaults). */
export function temporalPorts(frontend: number) {
  return {
    frontend,
    history: frontend + 1,
    matching: frontend + 2,
    worker: frontend + 6,
    http: frontend + 10,
    frontendMembership: frontend - 300,
    historyMembership: frontend - 299,
    matchingMembership: frontend - 298,
    workerMembership: frontend - 294,
  };
}
