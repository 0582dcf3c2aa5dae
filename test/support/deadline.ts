// Deadlines for tests that wait on a real stack: a stuck run must fail with a message saying what it was
// waiting for, never hang the suite (CI would only see a job killed hours later).

/** How long one integration step (a whole tiny pipeline run) may take on a loaded 2-core machine. */
export const RUN_DEADLINE_MS = Number(process.env.STAGEPRUNE_TEST_RUN_DEADLINE_MS ?? 8 * 60_000);

export class DeadlineError extends Error {
  constructor(what: string, ms: number, detail = '') {
    super(`timed out after ${(ms / 1000).toFixed(0)} s waiting for ${what}${detail ? `; ${detail}` : ''}`);
    this.name = 'DeadlineError';
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value)?.slice(0, 300) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Calls `probe` every `intervalMs` until it returns something other than undefined, and returns that. A probe
 * that throws is tried again (a query can fail before the run's first task), but the last error is kept: when
 * the deadline passes, the failure names what was awaited, the last error and the last value seen.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; lastValue?: () => unknown } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? RUN_DEADLINE_MS;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let tries = 0;
  for (;;) {
    tries++;
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const seen = options.lastValue ? `last value ${describe(options.lastValue())}` : '';
      const failed = lastError === undefined ? '' : `last error ${describe(lastError)}`;
      throw new DeadlineError(what, timeoutMs, [`${tries} tries`, seen, failed].filter(Boolean).join(', '));
    }
    await new Promise((r) =>
      setTimeout(r, Math.min(options.intervalMs ?? 200, Math.max(0, deadline - Date.now()))),
    );
  }
}

/** `work`, or a DeadlineError naming `what` once `timeoutMs` has passed (the work itself is not cancelled). */
export async function within<T>(what: string, work: Promise<T>, timeoutMs = RUN_DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
