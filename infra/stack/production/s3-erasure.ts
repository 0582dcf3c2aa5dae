import { minioServerCommand } from '../s3-server';
import type { ProductionOptions } from './production-options';

/**
 * MinIO in erasure-coded mode: one server over several drives (folders here; disks in production). With
 * four drives MinIO's default parity is EC:2, so it reads with any two drives and writes with any three;
 * losing one drive costs neither data nor availability, and `mc admin heal` (or MinIO's background healing)
 * rebuilds it when it comes back.
 */
export function erasureServerCommand(o: ProductionOptions['s3']): { args: string[]; env: NodeJS.ProcessEnv } {
  // Erasure mode refuses drives on the root disk ("drive not found") unless told this is a test setup:
  // here the four drives are folders on one disk. On real hosts give each drive its own disk instead.
  return minioServerCommand(o.drives, o, { MINIO_CI_CD: 'on' });
}
