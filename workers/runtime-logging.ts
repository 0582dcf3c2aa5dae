import fs from 'node:fs';
import path from 'node:path';
import type { LogEntry, LogLevel } from '@temporalio/worker';
import { formatWithOptions } from 'node:util';

let installed = false;

export interface WorkerLogOptions {
  level?: LogLevel;
  /** Append every line here (its folder is created): a terminal shows progress, the file keeps the rest. */
  file?: string;
  /** Also write every line to stderr; the default when no file is given. */
  stderr?: boolean;
}

/** One log line: time, level, message and its fields, as the SDK's own logger writes them (no colours). */
export function formatLogEntry(entry: LogEntry): string {
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const meta = entry.meta && Object.keys(entry.meta).length ? ` ${formatWithOptions({}, entry.meta)}` : '';
  return `${time} [${entry.level}] ${entry.message}${meta}\n`;
}

/** Where the lines of `installWorkerRuntime` go: a file, stderr, or both. */
export function logSink(options: Pick<WorkerLogOptions, 'file' | 'stderr'>): (entry: LogEntry) => void {
  let fd: number | undefined;
  if (options.file) {
    fs.mkdirSync(path.dirname(options.file), { recursive: true });
    fd = fs.openSync(options.file, 'a');
  }
  const toStderr = options.stderr ?? fd === undefined;
  return (entry) => {
    const line = formatLogEntry(entry);
    // Synchronous, so a line logged just before the process exits is in the file.
    if (fd !== undefined) fs.writeSync(fd, line);
    if (toStderr) process.stderr.write(line);
  };
}

/**
 * Installs the Temporal worker runtime, whose logger carries the core SDK's, the workers' and the
 * activities' logs. Worker state changes log at INFO, which drowns a terminal's own output: tests use WARN
 * on stderr; the CLI sends INFO to a log file and to stderr only when asked (`--verbose`). Must run before
 * the first worker is created in a process; later calls change nothing.
 */
export async function installWorkerRuntime(options: LogLevel | WorkerLogOptions = 'WARN'): Promise<void> {
  if (installed) return;
  const o = typeof options === 'string' ? { level: options } : options;
  const { Runtime, DefaultLogger } = await import('@temporalio/worker');
  Runtime.install({ logger: new DefaultLogger(o.level ?? 'WARN', logSink(o)) });
  installed = true;
}
