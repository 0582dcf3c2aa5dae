import { StoreUnavailableError } from './errors';

/** Exponential back-off for store calls that fail transiently (STORE_UNAVAILABLE). */
export interface StoreBackoff {
  /** First wait; doubles after every failure. */
  initialMs: number;
  /** Ceiling of one wait. */
  maxMs: number;
  /** Calls in all, the first included. */
  attempts: number;
}

/** Long enough to ride out a store restart (about 90 s of waiting) without holding a step for minutes. */
export const DEFAULT_STORE_BACKOFF: StoreBackoff = { initialMs: 1_000, maxMs: 30_000, attempts: 8 };

export interface RetryStoreOptions extends Partial<StoreBackoff> {
  /** Stops waiting at once (an activity's cancellation): the last error is thrown. */
  signal?: AbortSignal;
  onRetry?(err: StoreUnavailableError, attempt: number, delayMs: number): void;
}

/**
 * Runs `fn`, and again after a back-off while it fails with StoreUnavailableError. Any other error (a missing
 * bucket, an integrity failure) is thrown at once: waiting cannot fix it.
 */
export async function retryStore<T>(fn: () => Promise<T>, options: RetryStoreOptions = {}): Promise<T> {
  const o = { ...DEFAULT_STORE_BACKOFF, ...definedOnly(options) };
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof StoreUnavailableError) || attempt >= o.attempts || options.signal?.aborted) {
        throw err;
      }
      const delay = backoffDelay(o, attempt);
      options.onRetry?.(err, attempt, delay);
      await sleepUnlessAborted(delay, options.signal);
    }
  }
}

/** The wait after the `attempt`-th failure (1-based). */
export function backoffDelay(o: Pick<StoreBackoff, 'initialMs' | 'maxMs'>, attempt: number): number {
  return Math.min(o.maxMs, o.initialMs * 2 ** Math.min(attempt - 1, 30));
}

/** Resolves after `ms`, or as soon as `signal` aborts (never rejects: the caller checks the signal). */
export function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
