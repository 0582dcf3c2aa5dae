import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../common/constants';
import type { StagepruneConfig } from '../../runtime/config';
import { s3ServerBinary, stateDir as defaultStateDir, temporalBinary } from '../../runtime/paths';

/** Everything needed to start, probe and stop the local stack; derived from the config. */
export interface StackOptions {
  stateDir: string;
  temporal: {
    binary: string;
    ip: string;
    port: number;
    uiPort: number;
    namespace: string;
    dbFile: string;
    searchAttributes: readonly { name: string; type: string }[];
  };
  s3: {
    binary: string;
    ip: string;
    port: number;
    consolePort: number;
    dataDir: string;
    rootUser: string;
    rootPassword: string;
    bucket: string;
    endpoint: string;
  };
}

export function stackOptionsFromConfig(config: StagepruneConfig, stateDir = defaultStateDir): StackOptions {
  const [ip, portText] = splitHostPort(config.temporal.address, 7233);
  const s3Url = new URL(config.s3.endpoint);
  return {
    stateDir,
    temporal: {
      binary: temporalBinary(),
      ip,
      port: portText,
      uiPort: config.temporal.uiPort,
      namespace: config.temporal.namespace,
      dbFile: path.join(stateDir, 'temporal', 'temporal.db'),
      searchAttributes: Object.values(SEARCH_ATTRIBUTES),
    },
    s3: {
      binary: s3ServerBinary(),
      ip: s3Url.hostname === 'localhost' ? '127.0.0.1' : s3Url.hostname,
      port: Number(s3Url.port || (s3Url.protocol === 'https:' ? 443 : 80)),
      consolePort: config.s3.consolePort,
      dataDir: path.join(stateDir, 's3', 'data'),
      rootUser: config.s3.localRoot.user,
      rootPassword: config.s3.localRoot.password,
      bucket: config.s3.bucket,
      endpoint: config.s3.endpoint,
    },
  };
}

/** `host:port` → [host, port], with a default port. */
export function splitHostPort(address: string, defaultPort: number): [string, number] {
  const i = address.lastIndexOf(':');
  if (i < 0) return [address, defaultPort];
  return [address.slice(0, i), Number(address.slice(i + 1))];
}
