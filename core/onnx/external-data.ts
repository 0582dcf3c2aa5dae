import { OnnxFormatError } from './errors';

/**
 * Reads `length` bytes at `offset` of the file `location` (relative to the model's folder), or to its end
 * when `length` is undefined. The runtime provides one bound to a folder; tests pass an in-memory one.
 */
export type ExternalDataReader = (location: string, offset: number, length: number | undefined) => Uint8Array;

/** The `external_data` key/value entries of a TensorProto, as ONNX defines them. */
export interface ExternalDataRef {
  readonly location: string;
  readonly offset: number;
  readonly length: number | undefined;
}

export function parseExternalDataEntries(
  tensorName: string,
  entries: readonly { key?: string | null; value?: string | null }[],
): ExternalDataRef {
  const get = (key: string) => entries.find((e) => e.key === key)?.value ?? undefined;
  const location = get('location');
  if (location === undefined) {
    throw new OnnxFormatError(
      'ONNX_GRAPH_INVALID',
      `tensor '${tensorName}' is stored externally but names no location`,
    );
  }
  const offset = Number(get('offset') ?? 0);
  const lengthText = get('length');
  const length = lengthText === undefined ? undefined : Number(lengthText);
  if (
    !Number.isSafeInteger(offset) ||
    offset < 0 ||
    (length !== undefined && (!Number.isSafeInteger(length) || length < 0))
  ) {
    throw new OnnxFormatError(
      'ONNX_GRAPH_INVALID',
      `tensor '${tensorName}' has an invalid external offset/length`,
    );
  }
  return { location: assertLocationInsideModelFolder(tensorName, location), offset, length };
}

/**
 * External data may only live in the model's own folder (or below it). An absolute path, a drive letter,
 * a `..` segment or a NUL byte could reach any file on the machine, so each is refused before any read.
 * The runtime additionally resolves symlinks (see runtime/onnx-file.ts).
 */
export function assertLocationInsideModelFolder(tensorName: string, location: string): string {
  const segments = location.split(/[\\/]/);
  const escapes =
    location.length === 0 ||
    location.includes('\0') ||
    location.startsWith('/') ||
    location.startsWith('\\') ||
    /^[a-zA-Z]:/.test(location) ||
    segments.some((s) => s === '..');
  if (escapes) {
    throw new OnnxFormatError(
      'ONNX_EXTERNAL_DATA_ESCAPES',
      `tensor '${tensorName}' points at external data '${location}' outside the model's folder`,
    );
  }
  return segments.filter((s) => s !== '' && s !== '.').join('/');
}

export function readExternalData(
  tensorName: string,
  ref: ExternalDataRef,
  reader: ExternalDataReader | undefined,
): Uint8Array {
  if (!reader) {
    throw new OnnxFormatError(
      'ONNX_EXTERNAL_DATA_UNREADABLE',
      `tensor '${tensorName}' is stored in external file '${ref.location}' but no external-data reader was given`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = reader(ref.location, ref.offset, ref.length);
  } catch (err) {
    if (err instanceof OnnxFormatError) throw err;
    throw new OnnxFormatError(
      'ONNX_EXTERNAL_DATA_UNREADABLE',
      `cannot read external data '${ref.location}' of tensor '${tensorName}': ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (ref.length !== undefined && bytes.length !== ref.length) {
    throw new OnnxFormatError(
      'ONNX_TRUNCATED',
      `external data '${ref.location}' of tensor '${tensorName}' has ${bytes.length} bytes at offset ${ref.offset}, expected ${ref.length}`,
    );
  }
  return bytes;
}
