import fs from 'node:fs';
import path from 'node:path';
import { createS3Client, ensureBucket } from '../../../runtime/artifacts/s3-client';
import { s3ServerBinary } from '../../../runtime/paths';
import { refuseHeldPorts, StackError, stateOf, type ServiceState } from '../local-stack';
import { describeHolder, portHolders, type NeededPort } from '../port-holders';
import {
  killProcess,
  managedProcess,
  runningPid,
  startDetached,
  stopProcess,
  tailLog,
  waitFor,
  type ManagedProcess,
} from '../process-supervisor';
import { s3Healthy } from '../s3-server';
import { temporalHealthy, temporalReady } from '../temporal-server';
import { initPostgres, postgresListening, startPostgres } from './postgres';
import { temporalPorts, type ProductionOptions } from './production-options';
import { erasureServerCommand } from './s3-erasure';
import { registerNamespace, setupTemporalSchema, temporalServerCommand } from './temporal-cluster';
import { temporalUiCommand, uiHealthy } from './temporal-ui';
import { fleet, startFleetWorker, type FleetWorker } from './worker-fleet';

export interface ProductionServiceStatus {
  name: string;
  /** `external`: answered by a process this profile did not start (`detail` says whose). */
  state: ServiceState;
  pid?: number;
  healthy: boolean;
  address: string;
  detail?: string;
}

/**
 * `stageprune stack up --profile production`: PostgreSQL → schema → MinIO (erasure-coded) → Temporal
 * cluster → namespace → Web UI → worker fleet, each started only when not running, state under
 * `<STAGEPRUNE_HOME>/production`. The chaos scripts use the restart and kill helpers.
 */
export class ProductionStack {
  readonly postgres: ManagedProcess;
  readonly temporal: ManagedProcess;
  readonly ui: ManagedProcess;
  readonly s3: ManagedProcess;
  readonly workers: FleetWorker[];

  constructor(readonly o: ProductionOptions) {
    this.postgres = managedProcess(o.root, 'postgres');
    this.temporal = managedProcess(o.root, 'temporal-server');
    this.ui = managedProcess(o.root, 'temporal-ui');
    this.s3 = managedProcess(o.root, 's3');
    this.workers = fleet(o);
  }

  async up(): Promise<ProductionServiceStatus[]> {
    refuseHeldPorts('production', await portHolders(this.neededPorts(), path.dirname(this.o.root)));
    this.requireBinaries();
    await this.upPostgres();
    await setupTemporalSchema(this.o);
    await Promise.all([this.upS3(), this.upTemporal()]);
    await this.upUi();
    for (const w of this.workers) if (runningPid(w.proc) === undefined) startFleetWorker(this.o, w);
    return this.status();
  }

  async down(): Promise<string[]> {
    const stopped: string[] = [];
    const stop = async (name: string, p: ManagedProcess, signal?: NodeJS.Signals) => {
      if (await stopProcess(p, 40_000, signal)) stopped.push(name);
    };
    // Workers first (they drain), then what they use.
    await Promise.all(this.workers.map((w) => stop(w.name, w.proc)));
    await stop('temporal-ui', this.ui);
    await stop('temporal-server', this.temporal);
    await stop('s3', this.s3);
    await stop('postgres', this.postgres, 'SIGINT');
    return stopped;
  }

  async status(): Promise<ProductionServiceStatus[]> {
    const t = this.o.temporal;
    const [pg, s3, temporal, ui] = await Promise.all([
      postgresListening(this.o.postgres),
      s3Healthy(this.o.s3),
      temporalHealthy(t),
      uiHealthy(this.o),
    ]);
    const row = async (
      name: string,
      p: ManagedProcess,
      healthy: boolean,
      address: string,
      port: number,
    ): Promise<ProductionServiceStatus> => {
      const pid = runningPid(p);
      const [holder] =
        pid === undefined && healthy
          ? await portHolders([{ port, service: name }], path.dirname(this.o.root))
          : [];
      return {
        name,
        state: stateOf(pid, healthy),
        ...(pid !== undefined ? { pid } : {}),
        healthy,
        address,
        ...(holder ? { detail: describeHolder(holder) } : {}),
      };
    };
    const services = await Promise.all([
      row('postgres', this.postgres, pg, `127.0.0.1:${this.o.postgres.port}`, this.o.postgres.port),
      row(
        's3',
        this.s3,
        s3,
        `${this.o.s3.endpoint} (${this.o.s3.drives.length} drives, erasure-coded)`,
        this.o.s3.port,
      ),
      row('temporal-server', this.temporal, temporal, `${t.ip}:${t.port} namespace=${t.namespace}`, t.port),
      row('temporal-ui', this.ui, ui, `http://${t.ip}:${t.uiPort}`, t.uiPort),
    ]);
    return [
      ...services,
      ...this.workers.map((w): ProductionServiceStatus => {
        const pid = runningPid(w.proc);
        return {
          name: w.name,
          state: pid !== undefined ? 'running' : 'stopped',
          ...(pid !== undefined ? { pid } : {}),
          healthy: pid !== undefined,
          address: `queue ${w.queue}`,
        };
      }),
    ];
  }

  /** The ports `up` would start a server on: those of every service of this profile not running yet. */
  private neededPorts(): NeededPort[] {
    const o = this.o;
    const down = (p: ManagedProcess) => runningPid(p) === undefined;
    return [
      ...(down(this.postgres) ? [{ port: o.postgres.port, service: 'postgres' }] : []),
      ...(down(this.s3)
        ? [
            { port: o.s3.port, service: 's3' },
            { port: o.s3.consolePort, service: 's3 console' },
          ]
        : []),
      ...(down(this.temporal)
        ? Object.entries(temporalPorts(o.temporal.port)).map(([k, port]) => ({
            port,
            service: `temporal-server ${k}`,
          }))
        : []),
      ...(down(this.ui) && fs.existsSync(path.join(o.binDir, 'temporal-ui-server'))
        ? [{ port: o.temporal.uiPort, service: 'temporal-ui' }]
        : []),
    ];
  }

  /** Stops and starts the Temporal server (the chaos script's "server restart"). */
  async restartTemporal(): Promise<void> {
    await stopProcess(this.temporal, 30_000);
    await this.upTemporal();
  }

  /** Fast shutdown of PostgreSQL, `downMs` without it, then a start: Temporal loses its store for the gap. */
  async restartPostgres(downMs = 0): Promise<void> {
    await stopProcess(this.postgres, 30_000, 'SIGINT');
    await new Promise((r) => setTimeout(r, downMs));
    await this.upPostgres();
  }

  /** kill -9 of MinIO (mid-upload for whoever is uploading), then a start. */
  async restartS3(hard = true): Promise<void> {
    if (hard) await killProcess(this.s3);
    else await stopProcess(this.s3);
    await this.upS3();
  }

  /** kill -9 of MinIO, left down (restartS3 brings it back). */
  async killS3(): Promise<void> {
    await killProcess(this.s3);
  }

  async killWorker(w: FleetWorker): Promise<void> {
    await killProcess(w.proc);
  }

  startWorker(w: FleetWorker): void {
    if (runningPid(w.proc) === undefined) startFleetWorker(this.o, w);
  }

  private requireBinaries(): void {
    const need: [string, string][] = [
      [path.join(this.o.binDir, 'temporal-server'), 'bash infra/setup-production.sh'],
      [path.join(this.o.binDir, 'temporal-sql-tool'), 'bash infra/setup-production.sh'],
      [path.join(this.o.postgres.binDir, 'postgres'), 'apt-get install -y postgresql'],
      [s3ServerBinary(), 'bash infra/setup.sh'],
    ];
    for (const [file, fix] of need) {
      if (!fs.existsSync(file)) throw new StackError(`${file} not found; run \`${fix}\` first`);
    }
  }

  private async upPostgres(): Promise<void> {
    if (runningPid(this.postgres) === undefined) {
      if (await postgresListening(this.o.postgres)) {
        throw new StackError(
          `port ${this.o.postgres.port} is taken by another server; set STAGEPRUNE_PG_PORT`,
        );
      }
      initPostgres(this.o.postgres);
      startPostgres(this.postgres, this.o.postgres);
    }
    await this.expect('PostgreSQL', this.postgres, () => postgresListening(this.o.postgres), 60_000);
  }

  private async upS3(): Promise<void> {
    const s = this.o.s3;
    if (runningPid(this.s3) === undefined) {
      const { args, env } = erasureServerCommand(s);
      startDetached(this.s3, s3ServerBinary(), args, env);
    }
    await this.expect('MinIO', this.s3, () => s3Healthy(s), 90_000);
    const client = createS3Client({
      endpoint: s.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: s.rootUser, secretAccessKey: s.rootPassword },
    });
    try {
      const ok = await waitFor(
        () =>
          ensureBucket(client, s.bucket).then(
            () => true,
            () => false,
          ),
        30_000,
        300,
      );
      if (!ok) throw new StackError(`could not create bucket ${s.bucket} at ${s.endpoint}`);
    } finally {
      client.destroy();
    }
  }

  private async upTemporal(): Promise<void> {
    const t = this.o.temporal;
    if (runningPid(this.temporal) === undefined) {
      const { command, args } = temporalServerCommand(this.o);
      startDetached(this.temporal, command, args);
    }
    await this.expect('Temporal server', this.temporal, () => temporalHealthy(t), 120_000);
    let lastErr: unknown;
    const registered = await waitFor(
      () =>
        registerNamespace(this.o).then(
          () => true,
          (err: unknown) => {
            lastErr = err;
            return false;
          },
        ),
      60_000,
      1000,
    );
    if (!registered) throw new StackError(`could not register namespace ${t.namespace}: ${String(lastErr)}`);
    // A new namespace reaches every frontend's cache within its refresh interval (~10 s).
    await this.expect('the Temporal namespace', this.temporal, () => temporalReady(t), 60_000);
  }

  private async upUi(): Promise<void> {
    const bin = path.join(this.o.binDir, 'temporal-ui-server');
    if (!fs.existsSync(bin)) return; // optional: setup-production.sh builds it
    if (runningPid(this.ui) === undefined) {
      const { command, args } = temporalUiCommand(this.o);
      startDetached(this.ui, command, args);
    }
    await this.expect('Temporal Web UI', this.ui, () => uiHealthy(this.o), 30_000);
  }

  private async expect(what: string, p: ManagedProcess, check: () => Promise<boolean>, ms: number) {
    if (!(await waitFor(check, ms, 300))) {
      throw new StackError(
        `${what} did not become ready within ${ms / 1000}s; log ${p.logFile}:\n${tailLog(p)}`,
      );
    }
  }
}
