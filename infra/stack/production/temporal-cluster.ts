import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import type { ProductionOptions } from './production-options';
import { temporalPorts } from './production-options';

const run = promisify(execFile);

/** temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD (all our search attributes are keywords). */
const INDEXED_VALUE_TYPE_KEYWORD = 2;

export const TEMPORAL_DATABASES = { default: 'temporal', visibility: 'temporal_visibility' } as const;

/**
 * Creates both databases and brings their schemas to the server's version with the server's own SQL tool
 * (temporal-sql-tool, from the same Go module, schemas embedded). Idempotent: `update-schema` only applies
 * what is missing, so an upgraded server binary upgrades the schema at the next `up`.
 */
export async function setupTemporalSchema(o: ProductionOptions): Promise<void> {
  const tool = path.join(o.binDir, 'temporal-sql-tool');
  const base = [
    '--plugin',
    'postgres12',
    '--ep',
    '127.0.0.1',
    '-p',
    String(o.postgres.port),
    '-u',
    o.postgres.user,
  ];
  // The password travels in the environment, not on a command line other users can read.
  const env = { ...process.env, SQL_PASSWORD: o.postgres.password };
  for (const [kind, db] of Object.entries(TEMPORAL_DATABASES)) {
    const args = [...base, '--db', db];
    await run(tool, [...args, '--quiet', 'create-database'], { env });
    // Version 0.0 on a fresh database; on one already set up this fails quietly and update-schema goes on.
    await run(tool, [...args, '--quiet', 'setup-schema', '-v', '0.0'], { env });
    const schema = kind === 'default' ? 'postgresql/v12/temporal' : 'postgresql/v12/visibility';
    await run(tool, [...args, 'update-schema', '--schema-name', schema], { env });
  }
}

/** The server's static configuration: PostgreSQL stores, every service on loopback. */
export function renderTemporalConfig(o: ProductionOptions): string {
  const p = temporalPorts(o.temporal.port);
  const store = (db: string, conns: number) => `      sql:
        pluginName: postgres12
        databaseName: ${db}
        connectAddr: 127.0.0.1:${o.postgres.port}
        connectProtocol: tcp
        user: ${o.postgres.user}
        password: ${JSON.stringify(o.postgres.password)}
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: 1h`;
  const service = (grpc: number, membership: number, http?: number) =>
    `    rpc: { grpcPort: ${grpc}, membershipPort: ${membership}, bindOnLocalHost: true${http ? `, httpPort: ${http}` : ''} }`;
  return `# Written by \`stageprune stack up --profile production\`; edits are overwritten.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:
${store(TEMPORAL_DATABASES.default, 20)}
    visibility:
${store(TEMPORAL_DATABASES.visibility, 4)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
  frontend:
${service(p.frontend, p.frontendMembership, p.http)}
  history:
${service(p.history, p.historyMembership)}
  matching:
${service(p.matching, p.matchingMembership)}
  worker:
${service(p.worker, p.workerMembership)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:${p.frontend}
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: ${path.join(o.root, 'temporal', 'dynamicconfig.yaml')}
  pollInterval: 10s
`;
}

/**
 * Dynamic config: worker deployments (Worker Versioning) on, and the payload limits stated (Temporal's
 * defaults: 2 MB per payload, 50 MB per history; stageprune passes references, never model bytes).
 */
const DYNAMIC_CONFIG = `system.enableDeploymentVersions:
  - value: true
frontend.workerVersioningWorkflowAPIs:
  - value: true
limit.blobSize.error:
  - value: 2097152
`;

/** Writes the config files and returns the server's command line. */
export function temporalServerCommand(o: ProductionOptions): {
  command: string;
  args: string[];
  configFile: string;
} {
  const dir = path.join(o.root, 'temporal');
  fs.mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'temporal.yaml');
  fs.writeFileSync(configFile, renderTemporalConfig(o), { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'dynamicconfig.yaml'), DYNAMIC_CONFIG);
  return {
    command: path.join(o.binDir, 'temporal-server'),
    args: ['--config-file', configFile, '--allow-no-auth', 'start'],
    configFile,
  };
}

/**
 * A bare cluster has no namespace: register ours (7 days' retention) and our search attributes, as the dev
 * server's flags do. Both calls are idempotent.
 */
export async function registerNamespace(o: ProductionOptions, timeoutMs = 5000): Promise<void> {
  const connection = await Connection.connect({
    address: `${o.temporal.ip}:${o.temporal.port}`,
    connectTimeout: timeoutMs,
  });
  try {
    const ns = o.temporal.namespace;
    try {
      await connection.workflowService.registerNamespace({
        namespace: ns,
        workflowExecutionRetentionPeriod: msToTs('7 days'),
      });
    } catch (err) {
      if (!/already exists/i.test(String((err as Error).message))) throw err;
    }
    const existing = await connection.operatorService.listSearchAttributes({ namespace: ns });
    const missing = o.temporal.searchAttributes.filter(
      (sa) => !(sa.name in (existing.customAttributes ?? {})),
    );
    if (missing.length > 0) {
      await connection.operatorService.addSearchAttributes({
        namespace: ns,
        searchAttributes: Object.fromEntries(missing.map((sa) => [sa.name, INDEXED_VALUE_TYPE_KEYWORD])),
      });
    }
  } finally {
    await connection.close();
  }
}
