import os from 'node:os';
import { ort } from '../ort';

/** What latency depends on besides the model: CPU model and count, onnxruntime and Node versions. */
export function hostFingerprint(): string {
  const cpus = os.cpus();
  const version =
    (ort as unknown as { env?: { versions?: { common?: string } } }).env?.versions?.common ?? '?';
  return `${cpus[0]?.model ?? 'unknown cpu'} x${cpus.length}; onnxruntime ${version}; node ${process.version}`;
}
