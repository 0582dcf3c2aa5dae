import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { StagepruneConfig } from '../../runtime/config';
import { repoRoot } from '../../runtime/paths';

/**
 * A real worker process (workers/<queue>-worker.ts) pointed at a test stack. It leads its own process group,
 * so `kill()` takes its trainer subprocess down with it, as a crashed machine would.
 */
export class WorkerProcess {
  private child: ChildProcess | undefined;

  constructor(
    private readonly queue: 'cpu' | 'gpu',
    private readonly config: StagepruneConfig,
    private readonly workDir: string,
    private readonly logFile: string,
  ) {}

  start(): void {
    const log = fs.openSync(this.logFile, 'a');
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join('workers', `${this.queue}-worker.ts`)],
      {
        cwd: repoRoot,
        detached: true,
        stdio: ['ignore', log, log],
        env: {
          ...process.env,
          STAGEPRUNE_WORK_DIR: this.workDir,
          STAGEPRUNE_TEMPORAL_ADDRESS: this.config.temporal.address,
          STAGEPRUNE_S3_ENDPOINT: this.config.s3.endpoint,
          STAGEPRUNE_S3_BUCKET: this.config.s3.bucket,
          STAGEPRUNE_CPU_QUEUE: this.config.taskQueues.cpu,
          STAGEPRUNE_GPU_QUEUE: this.config.taskQueues.gpu,
        },
      },
    );
    fs.closeSync(log);
  }

  /** SIGKILL to the whole process group; resolves when the worker is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
    await exited;
  }

  /** SIGTERM (graceful shutdown), then SIGKILL if it lingers. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => void this.kill(), 20_000);
    await exited;
    clearTimeout(timer);
  }
}
