import fs from 'node:fs';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import type { StagepruneConfig } from './config';

/** What both the client's Connection and the worker's NativeConnection take to reach the frontend. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

/**
 * Connection options for any Temporal endpoint: the local stack (plaintext), a self-hosted cluster behind
 * TLS or mTLS, or Temporal Cloud (TLS with an API key, or mTLS with a client certificate). Certificate files
 * are read here, at connect time, so a rotated secret is picked up by the next connection.
 */
export function temporalConnectionOptions(t: StagepruneConfig['temporal']): TemporalConnectionOptions {
  const out: TemporalConnectionOptions = { address: t.address };
  if (t.tls) {
    const tls: TLSConfig = {};
    if (t.tls.serverName) tls.serverNameOverride = t.tls.serverName;
    if (t.tls.caFile) tls.serverRootCACertificate = fs.readFileSync(t.tls.caFile);
    if (t.tls.clientCertFile && t.tls.clientKeyFile) {
      tls.clientCertPair = {
        crt: fs.readFileSync(t.tls.clientCertFile),
        key: fs.readFileSync(t.tls.clientKeyFile),
      };
    }
    out.tls = Object.keys(tls).length > 0 ? tls : true;
  }
  if (t.apiKey) out.apiKey = t.apiKey;
  return out;
}
