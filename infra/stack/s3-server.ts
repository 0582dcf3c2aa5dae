import fs from 'node:fs';
import type { StackOptions } from './stack-options';

/** MinIO server arguments and environment (root credentials, no update checks: nothing outside is reachable). */
export function s3ServerCommand(o: StackOptions['s3']): { args: string[]; env: NodeJS.ProcessEnv } {
  fs.mkdirSync(o.dataDir, { recursive: true });
  return {
    args: [
      'server',
      o.dataDir,
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
    },
  };
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
