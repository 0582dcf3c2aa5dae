import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { isAlive } from './process-supervisor';

// Who holds a TCP port a profile needs: the other profile (its pid files name its processes), a foreign
// process, or nobody. `stack up` refuses in one line naming the holder rather than start beside it or
// silently use it: a production stack must never run its workers against the dev server.

export type StackProfile = 'dev' | 'production';

/** A port a profile's service listens on. */
export interface NeededPort {
  readonly port: number;
  readonly service: string;
}

export interface PortHolder {
  readonly port: number;
  readonly service: string;
  /** The listening process, where /proc shows it (Linux, same user). */
  readonly pid?: number;
  readonly command?: string;
  /** Set when the holder is one of a profile's own processes (its pid file names it or its group leader). */
  readonly profile?: StackProfile;
  readonly profileService?: string;
}

/** Where each profile keeps its pid files, under one state folder (STAGEPRUNE_HOME). */
export function profileRunDirs(stateDir: string): Record<StackProfile, string> {
  return { dev: path.join(stateDir, 'run'), production: path.join(stateDir, 'production', 'run') };
}

/** True when something accepts TCP connections on host:port. */
export function portInUse(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (used: boolean) => {
      socket.destroy();
      resolve(used);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The socket inodes listening on `port` (IPv4 and IPv6), from /proc/net/tcp{,6}. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN; field 9 is the inode.
      if (f.length > 9 && f[1]!.endsWith(`:${hexPort}`) && f[3] === '0A') inodes.add(f[9]!);
    }
  }
  return inodes;
}

/** The pid of the process listening on `port`, where /proc lets us see it. */
export function listenerPid(port: number): number | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  const wanted = new Set([...inodes].map((i) => `socket:[${i}]`));
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      try {
        if (wanted.has(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))) return Number(pid);
      } catch {
        /* closed meanwhile */
      }
    }
  }
  return undefined;
}

/** A process's group (detached servers lead their own: the pid in their pid file) and command name. */
function processInfo(pid: number): { group?: number; command?: string } {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its closing parenthesis.
    const close = stat.lastIndexOf(')');
    const command = stat.slice(stat.indexOf('(') + 1, close);
    const group = Number(stat.slice(close + 2).split(' ')[2]);
    return { command, ...(Number.isInteger(group) ? { group } : {}) };
  } catch {
    return {};
  }
}

/** The live processes a profile's pid files name: pid → service (the pid file's name). */
function profileProcesses(runDir: string): Map<number, string> {
  const out = new Map<number, string>();
  let files: string[];
  try {
    files = fs.readdirSync(runDir).filter((f) => f.endsWith('.pid'));
  } catch {
    return out;
  }
  for (const f of files) {
    const pid = Number.parseInt(fs.readFileSync(path.join(runDir, f), 'utf8').trim(), 10);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) out.set(pid, f.replace(/\.pid$/, ''));
  }
  return out;
}

/**
 * Who holds each of `ports` that something listens on: a process of one of the profiles whose pid files are
 * under `stateDir`, else a foreign process (with its pid where /proc shows it). Free ports are left out.
 */
export async function portHolders(
  ports: readonly NeededPort[],
  stateDir: string,
  host = '127.0.0.1',
): Promise<PortHolder[]> {
  const used = await Promise.all(ports.map((p) => portInUse(p.port, host)));
  const dirs = profileRunDirs(stateDir);
  const profiles = (Object.keys(dirs) as StackProfile[]).map((profile) => ({
    profile,
    procs: profileProcesses(dirs[profile]),
  }));
  return ports
    .filter((_, i) => used[i])
    .map(({ port, service }): PortHolder => {
      const pid = listenerPid(port);
      if (pid === undefined) return { port, service };
      const { group, command } = processInfo(pid);
      for (const { profile, procs } of profiles) {
        const own = procs.get(pid) ?? (group !== undefined ? procs.get(group) : undefined);
        if (own) return { port, service, pid, ...(command ? { command } : {}), profile, profileService: own };
      }
      return { port, service, pid, ...(command ? { command } : {}) };
    });
}

/** One line: "port 7233 (temporal) is held by the production profile's temporal-server (pid 4321)". */
export function describeHolder(h: PortHolder): string {
  const who = h.profile
    ? `the ${h.profile} profile's ${h.profileService} (pid ${h.pid})`
    : h.pid !== undefined
      ? `a process of no profile (pid ${h.pid}${h.command ? `, ${h.command}` : ''})`
      : 'a process of no profile (pid not visible: another user’s?)';
  return `port ${h.port} (${h.service}) is held by ${who}`;
}
