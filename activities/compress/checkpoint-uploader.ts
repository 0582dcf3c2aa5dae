import { readFile } from 'node:fs/promises';
import type { ArtifactRef } from '../../common/artifact-ref';
import { StoreUnavailableError } from '../../runtime/artifacts/errors';
import {
  DEFAULT_STORE_BACKOFF,
  backoffDelay,
  sleepUnlessAborted,
  type StoreBackoff,
} from '../../runtime/artifacts/store-retry';

export interface CheckpointUploaderOptions {
  put(bytes: Uint8Array): Promise<ArtifactRef>;
  /** Called once per stored checkpoint, in step order: the heartbeat may name it from now on. */
  onStored(ref: ArtifactRef, step: number): void;
  /** A transient failure; the upload is tried again after `delayMs` (or replaced by a newer checkpoint). */
  onRetry?(err: unknown, step: number, attempt: number, delayMs: number): void;
  /** A failure waiting cannot fix (or the file vanished): this checkpoint is dropped, the last good one stays. */
  onDropped?(err: unknown, step: number): void;
  backoff?: Pick<StoreBackoff, 'initialMs' | 'maxMs'>;
}

/**
 * Uploads the trainer's checkpoints in the background while it keeps training. Only the newest checkpoint
 * matters for a resume, so a checkpoint waiting out a store outage is replaced by a newer one as soon as
 * the trainer writes it (the trainer deletes old checkpoint files, so an old one may be gone anyway).
 *
 * Nothing here ever rejects: a failed upload only means the heartbeat keeps naming the last checkpoint
 * that was stored. (An unawaited upload chain that rejected once ended the whole worker process on
 * Node's unhandled-rejection rule, issue 17.)
 */
export class CheckpointUploader {
  private pending: { file: string; step: number } | undefined;
  private active = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly stopped = new AbortController();

  constructor(private readonly o: CheckpointUploaderOptions) {}

  /** A new checkpoint file at `step`: upload it (newest wins). */
  offer(file: string, step: number): void {
    if (this.stopped.signal.aborted) return;
    this.pending = { file, step };
    if (this.active) return;
    this.active = true;
    // run() catches everything itself; the catch here only keeps the promise handled by construction.
    this.loop = this.run().catch((err: unknown) => this.o.onDropped?.(err, step));
  }

  /** Stops retrying and waits for an upload already in flight; resolves, never rejects. */
  async stop(): Promise<void> {
    this.stopped.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const backoff = this.o.backoff ?? DEFAULT_STORE_BACKOFF;
    try {
      while (this.pending && !this.stopped.signal.aborted) {
        const job = this.pending;
        this.pending = undefined;
        for (let attempt = 1; !this.stopped.signal.aborted; attempt++) {
          try {
            const ref = await this.o.put(await readFile(job.file));
            this.o.onStored(ref, job.step);
            break;
          } catch (err) {
            if (!(err instanceof StoreUnavailableError)) {
              this.o.onDropped?.(err, job.step);
              break;
            }
            const delay = backoffDelay(backoff, attempt);
            this.o.onRetry?.(err, job.step, attempt, delay);
            await sleepUnlessAborted(delay, this.stopped.signal);
            if (this.pending) break; // a newer checkpoint arrived meanwhile: upload that one instead
          }
        }
      }
    } finally {
      this.active = false;
    }
  }
}
