import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Starts long-running local servers detached from the caller (they outlive `stageprune stack up`), with
 * a pid file and a log file each, and stops them again.
 */
export interface ManagedProcess {
  name: string;
  pidFile: string;
  logFile: string;
}

export function managedProcess(stateDir: string, name: string): ManagedProcess {
  return {
    name,
    pidFile: path.join(stateDir, 'run', `${name}.pid`),
    logFile: path.join(stateDir, 'logs', `${name}.log`),
  };
}

export function readPid(p: ManagedProcess): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(p.pidFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of our running instance, or undefined (a stale pid file is removed). */
export function runningPid(p: ManagedProcess): number | undefined {
  const pid = readPid(p);
  if (pid === undefined) return undefined;
  if (isAlive(pid)) return pid;
  fs.rmSync(p.pidFile, { force: true });
  return undefined;
}

export function startDetached(
  p: ManagedProcess,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  cwd?: string,
): number {
  fs.mkdirSync(path.dirname(p.pidFile), { recursive: true });
  fs.mkdirSync(path.dirname(p.logFile), { recursive: true });
  const log = fs.openSync(p.logFile, 'a');
  fs.writeSync(log, `\n--- ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
  const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log], env, cwd });
  fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${p.name} (${command})`);
  child.unref();
  fs.writeFileSync(p.pidFile, `${child.pid}\n`);
  return child.pid;
}

/**
 * `signal` (SIGTERM unless told: PostgreSQL's fast shutdown is SIGINT), then SIGKILL after `graceMs`;
 * resolves once the process is gone.
 */
export async function stopProcess(
  p: ManagedProcess,
  graceMs = 10_000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<boolean> {
  const pid = runningPid(p);
  if (pid === undefined) return false;
  signalGroup(pid, signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    signalGroup(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(50);
  }
  fs.rmSync(p.pidFile, { force: true });
  return true;
}

/** SIGKILL to the process group at once (a crashed machine, for chaos tests); resolves when it is gone. */
export async function killProcess(p: ManagedProcess): Promise<boolean> {
  return stopProcess(p, 0, 'SIGKILL');
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  // Detached children lead their own process group; signal the group so helpers die with them.
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true or the timeout passes. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 200,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

export function tailLog(p: ManagedProcess, lines = 20): string {
  try {
    return fs.readFileSync(p.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
