import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { ProductionStack, productionOptionsFromConfig } from '../../infra/stack/production';
import { postgresBinDir, temporalPorts } from '../../infra/stack/production/production-options';
import { loadConfig } from '../../runtime/config';
import { stateDir } from '../../runtime/paths';
import { freePort } from '../support/test-stack';

const bin = path.join(stateDir, 'bin');
const built =
  fs.existsSync(path.join(bin, 'temporal-server')) &&
  fs.existsSync(path.join(bin, 'temporal-sql-tool')) &&
  fs.existsSync(path.join(postgresBinDir(), 'postgres'));

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A frontend port whose neighbours (the other Temporal services' ports) are free too. */
async function temporalPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = 20_000 + Math.floor(Math.random() * 20_000);
    const all = Object.values(temporalPorts(p));
    if ((await Promise.all(all.map(portFree))).every(Boolean)) return p;
  }
  throw new Error('no free Temporal port range');
}

/**
 * The production profile end to end, where `bash infra/setup-production.sh` has built its binaries (CI does
 * not: skipped there): PostgreSQL, schema, erasure-coded MinIO, the Temporal server with our namespace and
 * search attributes, no workers; a second `up` starts nothing; `down` stops everything.
 */
test(
  'stack up --profile production brings up a Temporal cluster on PostgreSQL and MinIO over 4 drives',
  {
    skip: built ? false : 'production binaries not built (bash infra/setup-production.sh)',
    timeout: 300_000,
  },
  async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-prod-'));
    const [tport, ui, s3, console_, pg] = [
      await temporalPort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const config = loadConfig({
      STAGEPRUNE_TEMPORAL_ADDRESS: `127.0.0.1:${tport}`,
      STAGEPRUNE_TEMPORAL_UI_PORT: String(ui),
      STAGEPRUNE_S3_ENDPOINT: `http://127.0.0.1:${s3}`,
      STAGEPRUNE_S3_CONSOLE_PORT: String(console_),
    });
    const options = productionOptionsFromConfig(
      config,
      { cpuWorkers: 0, gpuWorkers: 0, stateDir: home },
      {
        STAGEPRUNE_PG_PORT: String(pg),
      },
    );
    // The binaries live in the real state folder, not the temporary one.
    const stack = new ProductionStack({ ...options, binDir: bin });
    try {
      const rows = await stack.up();
      assert.ok(
        rows.every((r) => r.healthy),
        JSON.stringify(rows),
      );
      assert.equal(options.s3.drives.length, 4);
      const again = await stack.up();
      assert.deepEqual(
        again.map((r) => r.pid),
        rows.map((r) => r.pid),
        'a second up starts nothing',
      );
      const connection = await Connection.connect({ address: `127.0.0.1:${tport}` });
      try {
        const sa = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
        assert.ok('StagepruneStage' in (sa.customAttributes ?? {}));
      } finally {
        await connection.close();
      }
      const stopped = await stack.down();
      assert.ok(
        stopped.includes('postgres') && stopped.includes('temporal-server'),
        `stopped: ${stopped.join(', ')}`,
      );
    } finally {
      // On a failure above, stop whatever started without hiding that failure behind this one.
      await stack.down().catch(() => undefined);
      fs.rmSync(home, { recursive: true, force: true });
    }
  },
);
