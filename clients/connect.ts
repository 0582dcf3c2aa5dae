import { Client, Connection } from '@temporalio/client';
import type { StagepruneConfig } from '../runtime/config';

/** A Temporal client for the configured address and namespace; close the connection when done. */
export async function connectClient(
  config: StagepruneConfig,
): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: config.temporal.address });
  return {
    client: new Client({ connection, namespace: config.temporal.namespace }),
    close: () => connection.close(),
  };
}
