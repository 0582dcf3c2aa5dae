// Name and memory of the visible GPUs, for doctor and the gpu-check results. nvidia-smi ships with the
// driver; without it the name is unknown (the device can still work).
import { spawnSync } from 'node:child_process';

export interface GpuInfo {
  readonly name: string;
  readonly memoryMiB: number;
}

/** `nvidia-smi --query-gpu=name,memory.total`: one entry per GPU, [] when nvidia-smi is absent or fails. */
export function gpuInfo(): GpuInfo[] {
  const r = spawnSync('nvidia-smi', ['--query-gpu=name,memory.total', '--format=csv,noheader,nounits'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (r.status !== 0 || !r.stdout) return [];
  return parseNvidiaSmi(r.stdout);
}

export function parseNvidiaSmi(stdout: string): GpuInfo[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const comma = line.lastIndexOf(',');
      return { name: line.slice(0, comma).trim(), memoryMiB: Number(line.slice(comma + 1).trim()) };
    })
    .filter((g) => g.name !== '' && Number.isFinite(g.memoryMiB));
}
