import { z } from 'zod';
import { DEFAULT_BUCKET, DEFAULT_NAMESPACE, TASK_QUEUES } from '../common/constants';

/**
 * Everything stageprune reads from the environment, validated once. Credentials for S3 come from the
 * standard AWS variables/chain; the local stack's own MinIO credentials are the fallback only when the
 * endpoint is the local one and no AWS credentials are set.
 */
const port = z.coerce.number().int().min(1).max(65535);

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
});

export interface StagepruneConfig {
  temporal: { address: string; namespace: string; uiPort: number };
  s3: {
    endpoint: string;
    bucket: string;
    region: string;
    consolePort: number;
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
  return {
    temporal: {
      address: e.STAGEPRUNE_TEMPORAL_ADDRESS,
      namespace: e.STAGEPRUNE_TEMPORAL_NAMESPACE,
      uiPort: e.STAGEPRUNE_TEMPORAL_UI_PORT,
    },
    s3: {
      endpoint: e.STAGEPRUNE_S3_ENDPOINT,
      bucket: e.STAGEPRUNE_S3_BUCKET,
      region: e.STAGEPRUNE_S3_REGION,
      consolePort: e.STAGEPRUNE_S3_CONSOLE_PORT,
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
