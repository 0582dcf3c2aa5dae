// Profiles never mix: `stack up` of one profile refuses, in one line naming the holder (profile, pid, port),
// when the other profile or a foreign process holds a port it needs, and `status` calls a service answered by
// a process the profile did not start `external` (never "stopped healthy"). The holders here are small node
// processes on free ports with the other profile's pid files; no real server starts, and the developer's own
// stack (its ports, its state folder) is never touched.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { describe as describeDev, describeProduction } from '../../cli/commands/stack';
import { LocalStack, stackOptionsFromConfig } from '../../infra/stack';
import { portInUse } from '../../infra/stack/port-holders';
import { ProductionStack, productionOptionsFromConfig } from '../../infra/stack/production';
import { waitFor } from '../../infra/stack/process-supervisor';
import { loadConfig } from '../../runtime/config';
import { freePort } from '../support/test-stack';

/** A configuration whose every port is free, and a state folder of its own. */
async function isolated() {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-profiles-'));
  const [temporal, ui, s3, console_, pg] = await Promise.all([1, 2, 3, 4, 5].map(() => freePort()));
  const config = loadConfig({
    STAGEPRUNE_TEMPORAL_ADDRESS: `127.0.0.1:${temporal}`,
    STAGEPRUNE_TEMPORAL_UI_PORT: String(ui),
    STAGEPRUNE_S3_ENDPOINT: `http://127.0.0.1:${s3}`,
    STAGEPRUNE_S3_CONSOLE_PORT: String(console_),
  });
  const ports = { temporal: temporal!, s3: s3!, pg: pg! };
  const dev = new LocalStack(stackOptionsFromConfig(config, stateDir));
  const production = new ProductionStack(
    productionOptionsFromConfig(
      config,
      { cpuWorkers: 0, gpuWorkers: 0, stateDir },
      { STAGEPRUNE_PG_PORT: String(pg) },
    ),
  );
  return { stateDir, ports, dev, production };
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A process listening on `port`, recorded as `<runDir>/<service>.pid` as a profile records its servers. */
async function holder(port: number, runDir: string, service: string): Promise<number> {
  const child = spawn(process.execPath, [
    '-e',
    `require('node:net').createServer().listen(${port}, '127.0.0.1')`,
  ]);
  children.push(child);
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(path.join(runDir, `${service}.pid`), `${child.pid}\n`);
  assert.ok(await waitFor(() => portInUse(port), 10_000, 50), `the holder never listened on ${port}`);
  return child.pid!;
}

async function refusal(up: () => Promise<unknown>): Promise<string> {
  const err = await up().then(
    () => assert.fail('up started beside a holder'),
    (e: unknown) => e as Error,
  );
  assert.ok(!err.message.includes('\n'), `one line: ${err.message}`);
  return err.message;
}

describe('stack profiles never mix', () => {
  test('dev up refuses while the production profile holds the Temporal port, naming profile, process, pid and port', async () => {
    const { stateDir, ports, dev } = await isolated();
    dirs.push(stateDir);
    const pid = await holder(ports.temporal, path.join(stateDir, 'production', 'run'), 'temporal-server');
    const line = await refusal(() => dev.up());
    assert.match(
      line,
      new RegExp(
        `port ${ports.temporal} \\(temporal\\) is held by the production profile's temporal-server \\(pid ${pid}\\)`,
      ),
    );
    assert.match(line, /stack down --profile production/);
    assert.equal(fs.existsSync(path.join(stateDir, 'run', 's3.pid')), false, 'nothing was started');
  });

  test('production up refuses while the dev profile holds the S3 port', async () => {
    const { stateDir, ports, production } = await isolated();
    dirs.push(stateDir);
    const pid = await holder(ports.s3, path.join(stateDir, 'run'), 's3');
    const line = await refusal(() => production.up());
    assert.match(
      line,
      new RegExp(`port ${ports.s3} \\(s3\\) is held by the dev profile's s3 \\(pid ${pid}\\)`),
    );
    assert.match(line, /stack down --profile dev/);
    assert.equal(fs.existsSync(path.join(stateDir, 'production', 'run', 'postgres.pid')), false);
  });

  test('a foreign server: up names its pid and refuses; status calls the service external, never stopped healthy', async () => {
    const { stateDir, ports, dev, production } = await isolated();
    dirs.push(stateDir);
    // An S3 look-alike in this very process: it answers MinIO's health check.
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(ports.s3, '127.0.0.1', resolve));
    try {
      const line = await refusal(() => dev.up());
      assert.match(
        line,
        new RegExp(`port ${ports.s3} \\(s3\\) is held by a process of no profile \\(pid ${process.pid}`),
      );

      const status = await dev.status();
      assert.equal(status.s3.state, 'external');
      assert.match(status.s3.detail ?? '', new RegExp(`pid ${process.pid}`));
      assert.equal(status.temporal.state, 'stopped');
      const rows = await production.status();
      assert.equal(rows.find((r) => r.name === 's3')?.state, 'external');
      for (const text of [describeDev(status), describeProduction(rows)]) {
        assert.doesNotMatch(text, /stopped\s+healthy/, text);
        assert.match(text, /^s3\s+external\s+healthy/m, text);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
