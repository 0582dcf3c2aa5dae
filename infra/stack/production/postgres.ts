import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { ManagedProcess } from '../process-supervisor';
import { startDetached } from '../process-supervisor';
import type { ProductionOptions } from './production-options';

/**
 * PostgreSQL for Temporal's persistence and visibility stores, from the Debian package, with its own data
 * folder. PostgreSQL refuses to run as root: when we are root the server runs as the package's `postgres`
 * user (setpriv execs it, so the pid we record is the postmaster's own).
 */
export function postgresCommand(o: ProductionOptions['postgres']): { command: string; args: string[] } {
  const args = [
    path.join(o.binDir, 'postgres'),
    '-D',
    o.dataDir,
    '-h',
    '127.0.0.1',
    '-p',
    String(o.port),
    '-k',
    path.dirname(o.dataDir),
    // Temporal's default pools (20 + 4 per service process) fit easily; the rest of the defaults suit a laptop.
    '-c',
    'max_connections=200',
  ];
  return asPostgresUser(args);
}

/** Creates the cluster on first use: a superuser with the configured password, password auth over TCP. */
export function initPostgres(o: ProductionOptions['postgres']): boolean {
  if (fs.existsSync(path.join(o.dataDir, 'PG_VERSION'))) return false;
  fs.mkdirSync(o.dataDir, { recursive: true });
  const pwFile = path.join(path.dirname(o.dataDir), '.pwfile');
  fs.writeFileSync(pwFile, `${o.password}\n`, { mode: 0o600 });
  chownForPostgres(path.dirname(o.dataDir));
  try {
    const { command, args } = asPostgresUser([
      path.join(o.binDir, 'initdb'),
      '-D',
      o.dataDir,
      '-U',
      o.user,
      '--pwfile',
      pwFile,
      '--auth-host=scram-sha-256',
      '--auth-local=trust',
      '-E',
      'UTF8',
    ]);
    execFileSync(command, args, { stdio: 'pipe' });
  } finally {
    fs.rmSync(pwFile, { force: true });
  }
  return true;
}

export function startPostgres(p: ManagedProcess, o: ProductionOptions['postgres']): number {
  const { command, args } = postgresCommand(o);
  return startDetached(p, command, args);
}

/** True once PostgreSQL accepts TCP connections on loopback (the SQL tool then checks the login). */
export function postgresListening(o: Pick<ProductionOptions['postgres'], 'port'>): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: o.port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function asPostgresUser(argv: string[]): { command: string; args: string[] } {
  if (!isRoot()) return { command: argv[0]!, args: argv.slice(1) };
  return {
    command: 'setpriv',
    args: ['--reuid', 'postgres', '--regid', 'postgres', '--init-groups', '--', ...argv],
  };
}

function chownForPostgres(dir: string): void {
  if (!isRoot()) return;
  execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  // The postgres user must be able to reach the folder through its parents (they stay root-owned).
  for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
    const mode = fs.statSync(d).mode;
    if ((mode & 0o001) === 0) fs.chmodSync(d, mode | 0o001);
  }
}
