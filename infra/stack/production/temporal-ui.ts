import fs from 'node:fs';
import path from 'node:path';
import type { ProductionOptions } from './production-options';

/**
 * The Temporal Web UI server (built from its Go module by infra/setup-production.sh), on loopback, pointed
 * at the cluster's frontend. Its config loader reads `<dir>/base.yaml` and `<dir>/<env>.yaml`.
 */
export function temporalUiCommand(o: ProductionOptions): { command: string; args: string[] } {
  const dir = path.join(o.root, 'ui');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'base.yaml'), '');
  fs.writeFileSync(
    path.join(dir, 'production.yaml'),
    `host: 127.0.0.1
port: ${o.temporal.uiPort}
temporalGrpcAddress: ${o.temporal.ip}:${o.temporal.port}
enableUi: true
defaultNamespace: ${o.temporal.namespace}
disableNewsFetch: true
notifyOnNewVersion: false
cors:
  cookieInsecure: true
`,
  );
  return {
    command: path.join(o.binDir, 'temporal-ui-server'),
    args: ['--root', o.root, '--config', 'ui', '--env', 'production', 'start'],
  };
}

export async function uiHealthy(o: ProductionOptions, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`http://${o.temporal.ip}:${o.temporal.uiPort}/`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    return res.ok;
  } catch {
    return false;
  }
}
