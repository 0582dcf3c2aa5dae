import fs from 'node:fs';
import { StagepruneError } from '../../core/errors';
import { createS3Client, ensureBucket } from '../../runtime/artifacts/s3-client';
import {
  managedProcess,
  runningPid,
  startDetached,
  stopProcess,
  tailLog,
  waitFor,
  type ManagedProcess,
} from './process-supervisor';
import { describeHolder, portHolders, type NeededPort, type PortHolder } from './port-holders';
import { s3Healthy, s3ServerCommand } from './s3-server';
import type { StackOptions } from './stack-options';
import { temporalHealthy, temporalReady, temporalServerArgs } from './temporal-server';

export class StackError extends StagepruneError {
  constructor(message: string) {
    super('STACK_ERROR', message, { isInputError: false });
  }
}

export type ServiceState = 'running' | 'started' | 'external' | 'stopped';

export interface ServiceStatus {
  state: ServiceState;
  pid?: number;
  healthy: boolean;
  address: string;
  detail?: string;
}

export interface StackStatus {
  temporal: ServiceStatus & { ui: string; namespace: string };
  s3: ServiceStatus & { bucket: string; console: string };
}

const TEMPORAL_START_TIMEOUT_MS = 90_000;
const S3_START_TIMEOUT_MS = 60_000;

/** The local Temporal dev server + MinIO, started by the project itself, state under one folder. */
export class LocalStack {
  private readonly temporalProc: ManagedProcess;
  private readonly s3Proc: ManagedProcess;

  constructor(readonly options: StackOptions) {
    this.temporalProc = managedProcess(options.stateDir, 'temporal');
    this.s3Proc = managedProcess(options.stateDir, 's3');
  }

  /**
   * Starts what is not running; a second call finds both running and changes nothing. Refuses, starting
   * nothing, when a port it would start a server on is held by the production profile or a foreign process.
   */
  async up(): Promise<StackStatus> {
    const t = this.options.temporal;
    const s = this.options.s3;
    const needed: NeededPort[] = [
      ...(runningPid(this.temporalProc) === undefined
        ? [
            { port: t.port, service: 'temporal' },
            { port: t.uiPort, service: 'temporal ui' },
          ]
        : []),
      ...(runningPid(this.s3Proc) === undefined
        ? [
            { port: s.port, service: 's3' },
            { port: s.consolePort, service: 's3 console' },
          ]
        : []),
    ];
    refuseHeldPorts('dev', await portHolders(needed, this.options.stateDir));
    const [s3State, temporalState] = await Promise.all([this.upS3(), this.upTemporal()]);
    const status = await this.status();
    status.s3.state = s3State;
    status.temporal.state = temporalState;
    return status;
  }

  async down(): Promise<{ temporal: boolean; s3: boolean }> {
    const [temporal, s3] = await Promise.all([stopProcess(this.temporalProc), stopProcess(this.s3Proc)]);
    return { temporal, s3 };
  }

  async status(): Promise<StackStatus> {
    const t = this.options.temporal;
    const s = this.options.s3;
    const [tHealthy, sHealthy] = await Promise.all([temporalHealthy(t), s3Healthy(s)]);
    const tPid = runningPid(this.temporalProc);
    const sPid = runningPid(this.s3Proc);
    // A service answered by a process we did not start is `external`, and says whose it is.
    const [tHolder, sHolder] = await Promise.all([
      tPid === undefined && tHealthy ? this.holderOf(t.port, 'temporal') : undefined,
      sPid === undefined && sHealthy ? this.holderOf(s.port, 's3') : undefined,
    ]);
    return {
      temporal: {
        state: stateOf(tPid, tHealthy),
        ...(tHolder ? { detail: tHolder } : {}),
        pid: tPid,
        healthy: tHealthy,
        address: `${t.ip}:${t.port}`,
        ui: `http://${t.ip}:${t.uiPort}`,
        namespace: t.namespace,
      },
      s3: {
        state: stateOf(sPid, sHealthy),
        ...(sHolder ? { detail: sHolder } : {}),
        pid: sPid,
        healthy: sHealthy,
        address: s.endpoint,
        bucket: s.bucket,
        console: `http://${s.ip}:${s.consolePort}`,
      },
    };
  }

  private async holderOf(port: number, service: string): Promise<string | undefined> {
    const [holder] = await portHolders([{ port, service }], this.options.stateDir);
    return holder ? describeHolder(holder) : undefined;
  }

  private async upTemporal(): Promise<ServiceState> {
    const t = this.options.temporal;
    const pid = runningPid(this.temporalProc);
    if (pid === undefined) {
      requireBinary(t.binary, 'Temporal CLI');
      startDetached(this.temporalProc, t.binary, temporalServerArgs(t));
    }
    const ok = await waitFor(() => temporalReady(t), TEMPORAL_START_TIMEOUT_MS, 300);
    if (!ok) {
      throw new StackError(
        `Temporal dev server did not become ready on ${t.ip}:${t.port} within ${TEMPORAL_START_TIMEOUT_MS / 1000}s; ` +
          `log ${this.temporalProc.logFile}:\n${tailLog(this.temporalProc)}`,
      );
    }
    return pid === undefined ? 'started' : 'running';
  }

  private async upS3(): Promise<ServiceState> {
    const s = this.options.s3;
    const pid = runningPid(this.s3Proc);
    if (pid === undefined) {
      requireBinary(s.binary, 'MinIO server');
      const { args, env } = s3ServerCommand(s);
      startDetached(this.s3Proc, s.binary, args, env);
    }
    const ok = await waitFor(() => s3Healthy(s), S3_START_TIMEOUT_MS, 200);
    if (!ok) {
      throw new StackError(
        `S3 server (MinIO) did not become healthy at ${s.endpoint} within ${S3_START_TIMEOUT_MS / 1000}s; ` +
          `log ${this.s3Proc.logFile}:\n${tailLog(this.s3Proc)}`,
      );
    }
    const state: ServiceState = pid === undefined ? 'started' : 'running';
    const client = createS3Client({
      endpoint: s.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: s.rootUser, secretAccessKey: s.rootPassword },
    });
    try {
      // Freshly started MinIO can answer liveness a moment before it accepts bucket calls.
      let lastErr: unknown;
      const ok = await waitFor(
        async () => {
          try {
            await ensureBucket(client, s.bucket);
            return true;
          } catch (err) {
            lastErr = err;
            return false;
          }
        },
        15_000,
        300,
      );
      if (!ok)
        throw new StackError(`could not create bucket ${s.bucket} at ${s.endpoint}: ${String(lastErr)}`);
    } finally {
      client.destroy();
    }
    return state;
  }
}

/**
 * Refuses `stack up` of `profile`, in one line naming each holder, when any of the ports it needs is held (by the
 * other profile or a foreign process): it must neither start beside them nor use their servers.
 */
export function refuseHeldPorts(profile: 'dev' | 'production', holders: readonly PortHolder[]): void {
  if (holders.length === 0) return;
  const fix = holders.some((h) => h.profile && h.profile !== profile)
    ? `stop the other profile first (stageprune stack down --profile ${holders.find((h) => h.profile && h.profile !== profile)!.profile})`
    : 'stop it, or point the configuration at free ports (STAGEPRUNE_TEMPORAL_ADDRESS, STAGEPRUNE_S3_ENDPOINT, ...)';
  throw new StackError(`stack up --profile ${profile}: ${holders.map(describeHolder).join('; ')}; ${fix}`);
}

export function stateOf(pid: number | undefined, healthy: boolean): ServiceState {
  if (pid !== undefined) return 'running';
  return healthy ? 'external' : 'stopped';
}

function requireBinary(file: string, what: string): void {
  if (!fs.existsSync(file)) {
    throw new StackError(`${what} binary not found at ${file}; run \`bash infra/setup.sh\` first`);
  }
}
