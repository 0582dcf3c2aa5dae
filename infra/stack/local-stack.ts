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

  /** Starts what is not running; a second call finds both running and changes nothing. */
  async up(): Promise<StackStatus> {
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
    return {
      temporal: {
        state: stateOf(tPid, tHealthy),
        pid: tPid,
        healthy: tHealthy,
        address: `${t.ip}:${t.port}`,
        ui: `http://${t.ip}:${t.uiPort}`,
        namespace: t.namespace,
      },
      s3: {
        state: stateOf(sPid, sHealthy),
        pid: sPid,
        healthy: sHealthy,
        address: s.endpoint,
        bucket: s.bucket,
        console: `http://${s.ip}:${s.consolePort}`,
      },
    };
  }

  private async upTemporal(): Promise<ServiceState> {
    const t = this.options.temporal;
    const pid = runningPid(this.temporalProc);
    if (pid === undefined && (await temporalHealthy(t))) return 'external';
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
    let state: ServiceState;
    if (pid === undefined && (await s3Healthy(s))) {
      state = 'external';
    } else {
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
      state = pid === undefined ? 'started' : 'running';
    }
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

function stateOf(pid: number | undefined, healthy: boolean): ServiceState {
  if (pid !== undefined) return 'running';
  return healthy ? 'external' : 'stopped';
}

function requireBinary(file: string, what: string): void {
  if (!fs.existsSync(file)) {
    throw new StackError(`${what} binary not found at ${file}; run \`bash infra/setup.sh\` first`);
  }
}
