import fs from 'node:fs';
import path from 'node:path';
import { StagepruneError } from '../core/errors';
import {
  type DecodeOptions,
  decodeModel,
  encodeModel,
  type ExternalDataReader,
  type Model,
  OnnxFormatError,
} from '../core/onnx';

/**
 * An external-data reader confined to `folder`: the location is resolved through symlinks and must stay
 * inside the folder's real path (core already refuses `..` and absolute locations; this catches links).
 */
export function folderExternalDataReader(folder: string): ExternalDataReader {
  const root = fs.realpathSync(folder);
  return (location, offset, length) => {
    let real: string;
    try {
      real = fs.realpathSync(path.join(root, location));
    } catch (err) {
      throw new OnnxFormatError(
        'ONNX_EXTERNAL_DATA_UNREADABLE',
        `external data file '${location}' does not exist`,
        { cause: err },
      );
    }
    if (real !== root && !real.startsWith(root + path.sep)) {
      throw new OnnxFormatError(
        'ONNX_EXTERNAL_DATA_ESCAPES',
        `external data '${location}' resolves outside the model's folder`,
      );
    }
    const fd = fs.openSync(real, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const n = length ?? Math.max(0, size - offset);
      if (offset + n > size) {
        throw new OnnxFormatError(
          'ONNX_TRUNCATED',
          `external data '${location}' has ${size} bytes, needs ${offset + n}`,
        );
      }
      const out = new Uint8Array(n);
      let done = 0;
      while (done < n) {
        const read = fs.readSync(fd, out, done, n - done, offset + done);
        if (read === 0) break;
        done += read;
      }
      return out.subarray(0, done);
    } finally {
      fs.closeSync(fd);
    }
  };
}

/** A model file that cannot be read at all (missing, a directory, no permission). */
export class ModelFileError extends StagepruneError {
  constructor(message: string, cause: unknown) {
    super('MODEL_FILE_UNREADABLE', message, { cause });
  }
}

/** Reads and decodes an ONNX file; external data is read only from the file's own folder. */
export function readModelFile(file: string, options: Omit<DecodeOptions, 'readExternal'> = {}): Model {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new ModelFileError(`cannot read ${file}: ${(err as Error).message}`, err);
  }
  return decodeModel(bytes, {
    ...options,
    readExternal: folderExternalDataReader(path.dirname(path.resolve(file))),
  });
}

/** Encodes and writes a model (all tensors inline), atomically: a crash never leaves half a file. */
export function writeModelFile(file: string, model: Model): number {
  const bytes = encodeModel(model);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
  return bytes.length;
}
