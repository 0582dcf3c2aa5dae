import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { StackOptions } from './stack-options';

/** Arguments for the Temporal CLI dev server: persisted to SQLite, UI on, our search attributes registered. */
export function temporalServerArgs(o: StackOptions['temporal']): string[] {
  fs.mkdirSync(path.dirname(o.dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    o.dbFile,
    '--ip',
    o.ip,
    '--port',
    String(o.port),
    '--ui-port',
    String(o.uiPort),
    '--log-level',
    'warn',
    '--ui-disable-news-fetch',
  ];
  if (o.namespace !== 'default') args.push('--namespace', o.namespace);
  for (const sa of o.searchAttributes) args.push('--search-attribute', `${sa.name}=${sa.type}`);
  return args;
}

/** True when a Temporal frontend answers at ip:port. */
export async function temporalHealthy(
  o: Pick<StackOptions['temporal'], 'ip' | 'port'>,
  timeoutMs = 2000,
): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: `${o.ip}:${o.port}`, connectTimeout: timeoutMs });
    await connection.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

/** True once the namespace exists and our search attributes are registered in it. */
export async function temporalReady(
  o: Pick<StackOptions['temporal'], 'ip' | 'port' | 'namespace' | 'searchAttributes'>,
  timeoutMs = 2000,
): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: `${o.ip}:${o.port}`, connectTimeout: timeoutMs });
    const res = await connection.operatorService.listSearchAttributes({ namespace: o.namespace });
    const custom = res.customAttributes ?? {};
    return o.searchAttributes.every((sa) => sa.name in custom);
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}
