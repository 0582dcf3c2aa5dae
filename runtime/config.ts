import fs from 'node:fs';
import { z } from 'zod';
import { DEFAULT_BUCKET, DEFAULT_NAMESPACE, TASK_QUEUES } from '../common/constants';

/**
 * Everything stageprune reads from the environment, validated once. Credentials for S3 come from the
 * standard AWS variables/chain; the local stack's own MinIO credentials are the fallback only when the
 * endpoint is the local one and no AWS credentials are set.
 */
const port = z.coerce.number().int().min(1).max(65535);
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const envSchema = z.object({
  STAGEPRUNE_TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  STAGEPRUNE_TEMPORAL_NAMESPACE: z.string().default(DEFAULT_NAMESPACE),
  STAGEPRUNE_TEMPORAL_UI_PORT: port.default(8233),
  STAGEPRUNE_S3_ENDPOINT: z.string().url().default('http://127.0.0.1:9000'),
  STAGEPRUNE_S3_CONSOLE_PORT: port.default(9001),
  STAGEPRUNE_S3_BUCKET: z.string().min(3).default(DEFAULT_BUCKET),
  STAGEPRUNE_S3_REGION: z.string().default('us-east-1'),
  STAGEPRUNE_LOCAL_S3_USER: z.string().min(3).default('stageprune'),
  STAGEPRUNE_LOCAL_S3_PASSWORD: z.string().min(8).default('stageprune-local-secret'),
  STAGEPRUNE_CPU_QUEUE: z.string().default(TASK_QUEUES.cpu),
  STAGEPRUNE_GPU_QUEUE: z.string().default(TASK_QUEUES.gpu),
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().optional(),
  /** Buckets model and data URIs may name (comma-separated); default: the artifact bucket only. */
  STAGEPRUNE_S3_INPUT_BUCKETS: z.string().optional(),
  /** Path-style requests (MinIO and most S3-compatible servers); `false` for AWS virtual-hosted style. */
  STAGEPRUNE_S3_FORCE_PATH_STYLE: flag.default(true),
  /** TLS to the Temporal frontend: on with `true`, or implied by a CA, client certificate or API key. */
  STAGEPRUNE_TEMPORAL_TLS: flag.optional(),
  STAGEPRUNE_TEMPORAL_TLS_CA_FILE: z.string().min(1).optional(),
  /** mTLS client certificate and key (PEM files), e.g. a Temporal Cloud namespace with certificate auth. */
  STAGEPRUNE_TEMPORAL_TLS_CERT_FILE: z.string().min(1).optional(),
  STAGEPRUNE_TEMPORAL_TLS_KEY_FILE: z.string().min(1).optional(),
  STAGEPRUNE_TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  /** API key (Temporal Cloud API-key auth); or a file holding it, as a mounted secret. */
  STAGEPRUNE_TEMPORAL_API_KEY: z.string().min(1).optional(),
  STAGEPRUNE_TEMPORAL_API_KEY_FILE: z.string().min(1).optional(),
});

export interface TemporalTlsConfig {
  /** SNI / certificate host name override. */
  serverName?: string;
  /** PEM file of the CA that signed the server's certificate (default: the system's roots). */
  caFile?: string;
  /** mTLS client certificate and key (PEM files). */
  clientCertFile?: string;
  clientKeyFile?: string;
}

export interface StagepruneConfig {
  temporal: {
    address: string;
    namespace: string;
    uiPort: number;
    /** Undefined: plaintext (the local stack). */
    tls?: TemporalTlsConfig;
    /** Sent as a bearer token; never logged, never in a workflow's input. */
    apiKey?: string;
  };
  s3: {
    endpoint: string;
    bucket: string;
    region: string;
    consolePort: number;
    forcePathStyle: boolean;
    /** Buckets model and data URIs may name; the import activities refuse any other. */
    inputBuckets: string[];
    /** Explicit credentials, or undefined to let the AWS SDK's default chain find them. */
    credentials?: { accessKeyId: string; secretAccessKey: string };
    /** Root credentials the local MinIO is started with. */
    localRoot: { user: string; password: string };
  };
  taskQueues: { cpu: string; gpu: string };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): StagepruneConfig {
  const e = envSchema.parse(env);
  const localRoot = { user: e.STAGEPRUNE_LOCAL_S3_USER, password: e.STAGEPRUNE_LOCAL_S3_PASSWORD };
  const credentials =
    e.AWS_ACCESS_KEY_ID && e.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY }
      : isLoopback(e.STAGEPRUNE_S3_ENDPOINT)
        ? { accessKeyId: localRoot.user, secretAccessKey: localRoot.password }
        : undefined;
  const apiKey =
    e.STAGEPRUNE_TEMPORAL_API_KEY ??
    (e.STAGEPRUNE_TEMPORAL_API_KEY_FILE
      ? fs.readFileSync(e.STAGEPRUNE_TEMPORAL_API_KEY_FILE, 'utf8').trim()
      : undefined);
  if (
    (e.STAGEPRUNE_TEMPORAL_TLS_CERT_FILE === undefined) !==
    (e.STAGEPRUNE_TEMPORAL_TLS_KEY_FILE === undefined)
  ) {
    throw new Error('STAGEPRUNE_TEMPORAL_TLS_CERT_FILE and STAGEPRUNE_TEMPORAL_TLS_KEY_FILE go together');
  }
  const tlsAsked =
    e.STAGEPRUNE_TEMPORAL_TLS ??
    Boolean(
      apiKey ||
      e.STAGEPRUNE_TEMPORAL_TLS_CA_FILE ||
      e.STAGEPRUNE_TEMPORAL_TLS_CERT_FILE ||
      e.STAGEPRUNE_TEMPORAL_TLS_SERVER_NAME,
    );
  const tls: TemporalTlsConfig | undefined = tlsAsked
    ? {
        ...(e.STAGEPRUNE_TEMPORAL_TLS_SERVER_NAME
          ? { serverName: e.STAGEPRUNE_TEMPORAL_TLS_SERVER_NAME }
          : {}),
        ...(e.STAGEPRUNE_TEMPORAL_TLS_CA_FILE ? { caFile: e.STAGEPRUNE_TEMPORAL_TLS_CA_FILE } : {}),
        ...(e.STAGEPRUNE_TEMPORAL_TLS_CERT_FILE && e.STAGEPRUNE_TEMPORAL_TLS_KEY_FILE
          ? {
              clientCertFile: e.STAGEPRUNE_TEMPORAL_TLS_CERT_FILE,
              clientKeyFile: e.STAGEPRUNE_TEMPORAL_TLS_KEY_FILE,
            }
          : {}),
      }
    : undefined;
  const inputBuckets = (e.STAGEPRUNE_S3_INPUT_BUCKETS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  return {
    temporal: {
      address: e.STAGEPRUNE_TEMPORAL_ADDRESS,
      namespace: e.STAGEPRUNE_TEMPORAL_NAMESPACE,
      uiPort: e.STAGEPRUNE_TEMPORAL_UI_PORT,
      ...(tls ? { tls } : {}),
      ...(apiKey ? { apiKey } : {}),
    },
    s3: {
      endpoint: e.STAGEPRUNE_S3_ENDPOINT,
      bucket: e.STAGEPRUNE_S3_BUCKET,
      region: e.STAGEPRUNE_S3_REGION,
      consolePort: e.STAGEPRUNE_S3_CONSOLE_PORT,
      forcePathStyle: e.STAGEPRUNE_S3_FORCE_PATH_STYLE,
      inputBuckets: inputBuckets.length > 0 ? inputBuckets : [e.STAGEPRUNE_S3_BUCKET],
      credentials,
      localRoot,
    },
    taskQueues: { cpu: e.STAGEPRUNE_CPU_QUEUE, gpu: e.STAGEPRUNE_GPU_QUEUE },
  };
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}
