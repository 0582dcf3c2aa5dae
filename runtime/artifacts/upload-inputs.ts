import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { s3Uri } from '../../common/artifact-ref';
import { StagepruneError } from '../../core/errors';
import type { ArtifactStore } from './artifact-store';
import { forEachConcurrent } from '../../core/for-each-concurrent';

export class LocalInputError extends StagepruneError {
  constructor(message: string) {
    super('LOCAL_INPUT_INVALID', message);
  }
}

/** A local model file → its content-addressed S3 URI (uploaded once). */
export async function uploadModelFile(store: ArtifactStore, file: string): Promise<string> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile())
    throw new LocalInputError(`model file not found: ${file}`);
  const ref = await store.put(fs.readFileSync(file));
  return s3Uri(ref);
}

/** The files a dataset upload sends (hidden ones skipped), relative to `dir`, '/'-separated: its object keys. */
export function listFiles(dir: string, rel = ''): string[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((e) => {
      const r = path.posix.join(rel, e.name);
      if (e.name.startsWith('.')) return [];
      if (e.isDirectory()) return listFiles(dir, r);
      return e.isFile() ? [r] : [];
    })
    .sort();
}

/** What a dataset upload reports as it goes (the CLI shows it on stderr). */
export interface DatasetUploadEvents {
  /** The folder's listing matches an earlier upload: nothing is sent. */
  onSkip?(files: number, uri: string): void;
  /** Before the first file is sent: how many files and bytes will be. */
  onStart?(files: number, bytes: number): void;
  /** After each file is stored (`done` of `total`, in completion order). */
  onFile?(done: number, total: number): void;
}

/**
 * A local dataset folder → an S3 prefix named by the folder's content listing (names, sizes, mtimes), so a
 * second upload of the same folder is skipped and a changed folder gets a new prefix.
 */
export async function uploadDatasetFolder(
  store: ArtifactStore,
  dir: string,
  events: DatasetUploadEvents = {},
): Promise<string> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new LocalInputError(`dataset folder not found: ${dir}`);
  const files = listFiles(dir);
  if (files.length === 0) throw new LocalInputError(`dataset folder is empty: ${dir}`);
  const stats = files.map((f) => fs.statSync(path.join(dir, f)));
  const listing = files.map((f, i) => `${f}\t${stats[i]!.size}\t${Math.floor(stats[i]!.mtimeMs)}`);
  const id = createHash('sha256').update(listing.join('\n')).digest('hex').slice(0, 16);
  const prefix = `datasets/${path.basename(path.resolve(dir))}-${id}/`;
  const uri = `s3://${store.bucket}/${prefix}`;
  const marker = `${prefix}.stageprune-uploaded`;
  try {
    await store.getJson(marker);
    events.onSkip?.(files.length, uri);
    return uri;
  } catch {
    /* not uploaded yet */
  }
  events.onStart?.(
    files.length,
    stats.reduce((sum, st) => sum + st.size, 0),
  );
  let done = 0;
  await forEachConcurrent(files, 8, async (f) => {
    await store.putObject(`${prefix}${f}`, fs.readFileSync(path.join(dir, f)));
    events.onFile?.(++done, files.length);
  });
  await store.putJson(marker, { files: files.length, at: new Date().toISOString() });
  return uri;
}
