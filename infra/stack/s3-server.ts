import fs from 'node:fs';
import type { StackOptions } from './stack-options';

type ServerSettings = Pick<StackOptions['s3'], 'ip' | 'port' | 'consolePort' | 'rootUser' | 'rootPassword'>;

/**
 * MinIO server arguments and environment over `drives` (one folder, or several for erasure coding): root
 * credentials, no update checks (nothing outside is reachable).
 */
export function minioServerCommand(
  drives: string[],
  o: ServerSettings,
  extraEnv: NodeJS.ProcessEnv = {},
): { args: string[]; env: NodeJS.ProcessEnv } {
  for (const d of drives) fs.mkdirSync(d, { recursive: true });
  return {
    args: [
      'server',
      ...drives,
      '--address',
      `${o.ip}:${o.port}`,
      '--console-address',
      `${o.ip}:${o.consolePort}`,
      '--quiet',
    ],
    env: {
      ...process.env,
      MINIO_ROOT_USER: o.rootUser,
      MINIO_ROOT_PASSWORD: o.rootPassword,
      MINIO_UPDATE: 'off',
      MINIO_CALLHOME_ENABLE: 'off',
      ...extraEnv,
    },
  };
}

/** The dev stack's MinIO: one data folder. */
export function s3ServerCommand(o: StackOptions['s3']): { args: string[]; env: NodeJS.ProcessEnv } {
  return minioServerCommand([o.dataDir], o);
}

/** True when an S3 server answers MinIO's liveness probe at the endpoint. */
export async function s3Healthy(o: Pick<StackOptions['s3'], 'endpoint'>, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(new URL('/minio/health/live', o.endpoint), {
      signal: AbortSignal.timeout(timeoutMs),
    });
    return res.ok;
  } catch {
    return false;
  }
}
