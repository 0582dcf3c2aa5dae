import { Client, Connection } from '@temporalio/client';
import type { StagepruneConfig } from '../runtime/config';
import { temporalConnectionOptions } from '../runtime/temporal-connection';

/**
 * A Temporal client for the configured endpoint (TLS, mTLS or API key as configured) and namespace; close
 * the connection when done.
 */
export async function connectClient(
  config: StagepruneConfig,
): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
  return {
    client: new Client({ connection, namespace: config.temporal.namespace }),
    close: () => connection.close(),
  };
}
