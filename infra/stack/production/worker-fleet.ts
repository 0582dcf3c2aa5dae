import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../../runtime/paths';
import { managedProcess, startDetached, type ManagedProcess } from '../process-supervisor';
import type { ProductionOptions } from './production-options';

export interface FleetWorker {
  name: string;
  queue: 'cpu' | 'gpu';
  proc: ManagedProcess;
}

/** The fleet's processes by name: cpu-worker-1..N, gpu-worker-1..M. */
export function fleet(o: ProductionOptions): FleetWorker[] {
  const make = (queue: 'cpu' | 'gpu', n: number) =>
    Array.from({ length: n }, (_, i) => {
      const name = `${queue}-worker-${i + 1}`;
      return { name, queue, proc: managedProcess(o.root, name) };
    });
  return [...make('cpu', o.workers.cpu), ...make('gpu', o.workers.gpu)];
}

/**
 * Starts one worker process (`node --import tsx workers/<queue>-worker.ts` on this Node, repository root as
 * working folder), each with its own scratch folder; the artifact cache is shared (its writes are atomic).
 */
export function startFleetWorker(o: ProductionOptions, w: FleetWorker): number {
  const workDir = path.join(o.workers.workDir, w.name);
  fs.mkdirSync(workDir, { recursive: true });
  const activities = w.queue === 'cpu' ? o.workers.cpuActivities : o.workers.gpuActivities;
  return startDetached(
    w.proc,
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'workers', `${w.queue}-worker.ts`)],
    {
      ...process.env,
      ...o.workerEnv,
      STAGEPRUNE_WORK_DIR: workDir,
      ...(activities ? { STAGEPRUNE_WORKER_ACTIVITIES: String(activities) } : {}),
    },
    repoRoot,
  );
}
