import fs from 'node:fs';
import type { ProductionOptions } from './production-options';

/**
 * MinIO in erasure-coded mode: one server over several drives (folders here; disks in production). With
 * four drives MinIO's default parity is EC:2, so it reads with any two drives and writes with any three;
 * losing one drive costs neither data nor availability, and `mc admin heal` (or MinIO's background healing)
 * rebuilds it when it comes back.
 */
export function erasureServerCommand(o: ProductionOptions['s3']): { args: string[]; env: NodeJS.ProcessEnv } {
  for (const d of o.drives) fs.mkdirSync(d, { recursive: true });
  return {
    args: [
      'server',
      ...o.drives,
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
      // Erasure mode refuses drives on the root disk ("drive not found") unless told this is a test setup:
      // here the four drives are folders on one disk. On real hosts give each drive its own disk instead.
      MINIO_CI_CD: 'on',
    },
  };
}
