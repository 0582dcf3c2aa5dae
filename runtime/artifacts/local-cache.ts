import fs from 'node:fs';
import path from 'node:path';
import type { ArtifactRef } from '../../common/artifact-ref';
import type { ArtifactStore } from './artifact-store';
import { forEachConcurrent } from '../../core/for-each-concurrent';
import { ArtifactMissingError } from './errors';
import { sha256Hex } from './s3-artifact-store';

/** A dataset as a list of objects under one prefix, fixed at import so every step sees the same files. */
export interface DatasetManifest {
  bucket: string;
  prefix: string;
  objects: { key: string; size: number; etag: string }[];
}

/**
 * Local copies of artifacts for the tools that need files (onnxruntime, the trainer). Content-addressed
 * files are shared by every activity on the machine; a file is written to a temporary name and renamed, so
 * a crash never leaves a half-written model behind.
 */
export class LocalArtifactCache {
  constructor(
    private readonly store: ArtifactStore,
    readonly root: string,
  ) {}

  /** The artifact as a local file (downloaded once, verified by sha256). */
  async file(ref: ArtifactRef, extension = '.onnx'): Promise<string> {
    const file = path.join(this.root, 'sha256', `${ref.sha256}${extension}`);
    // Verified when it was downloaded and renamed into place whole; a size that no longer matches (a
    // truncated or replaced local file) sends it back to the store, which verifies the sha256 again.
    if (fs.existsSync(file) && fs.statSync(file).size === ref.size) return file;
    const bytes = await this.store.get(ref);
    writeAtomic(file, bytes);
    return file;
  }

  /**
   * The dataset as a local folder. Objects already there with the right size are not fetched again; an object
   * the manifest names but the store no longer has is an input error naming its key.
   */
  async dataset(manifest: DatasetManifest): Promise<string> {
    const id = sha256Hex(new TextEncoder().encode(JSON.stringify(manifest))).slice(0, 16);
    const dir = path.join(this.root, 'datasets', id);
    const done = path.join(dir, '.complete');
    if (fs.existsSync(done)) {
      // Re-check existence cheaply: a deleted input must fail the run, not be served from cache forever.
      await this.assertStillStored(manifest);
      return dir;
    }
    await forEachConcurrent(manifest.objects, 8, async (o) => {
      const rel = o.key.slice(manifest.prefix.length);
      if (!rel || rel.endsWith('/')) return;
      const target = path.join(dir, rel);
      if (!target.startsWith(dir + path.sep)) return; // keys with '..' never escape the folder
      if (fs.existsSync(target) && fs.statSync(target).size === o.size) return;
      writeAtomic(target, await this.store.getObject(manifest.bucket, o.key));
    });
    fs.writeFileSync(done, new Date().toISOString());
    return dir;
  }

  private async assertStillStored(manifest: DatasetManifest): Promise<void> {
    const present = new Set((await this.store.list(manifest.bucket, manifest.prefix)).map((o) => o.key));
    const missing = manifest.objects.find((o) => !present.has(o.key));
    if (missing) throw new ArtifactMissingError(manifest.bucket, missing.key);
  }
}

function writeAtomic(file: string, bytes: Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}
