import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { LocalStack, stackOptionsFromConfig } from '../../infra/stack';
import { loadConfig, type StagepruneConfig } from '../../runtime/config';

/** A free TCP port on loopback (the OS picks it; we release it at once). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface TestStack {
  stack: LocalStack;
  config: StagepruneConfig;
  stateDir: string;
  /** Stops both servers and removes the state folder. */
  destroy(): Promise<void>;
}

/**
 * The real local stack (Temporal dev server + MinIO) on free ports with its own state folder, so tests
 * never touch a developer's running stack. `overrides` are configuration variables (e.g. other MinIO root
 * credentials).
 */
export async function startTestStack(overrides: NodeJS.ProcessEnv = {}): Promise<TestStack> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-test-'));
  const [temporalPort, uiPort, s3Port, consolePort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const config = loadConfig({
    ...process.env,
    STAGEPRUNE_TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    STAGEPRUNE_TEMPORAL_UI_PORT: String(uiPort),
    STAGEPRUNE_S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
    STAGEPRUNE_S3_CONSOLE_PORT: String(consolePort),
    STAGEPRUNE_S3_BUCKET: 'stageprune-test',
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    ...overrides,
  });
  const stack = new LocalStack(stackOptionsFromConfig(config, stateDir));
  await stack.up();
  return {
    stack,
    config,
    stateDir,
    async destroy() {
      await stack.down();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
