// Rewrites the ultralytics `names` metadata of an ONNX model and nothing else: the file's top-level protobuf
// fields are copied byte for byte, only the metadata_props entry `names` is replaced (or added), so the
// graph, every weight and every other field stay byte-identical, which the tool checks before writing.
//
//   npx tsx tools/restamp-names.ts MODEL.onnx --names Platelets,RBC,WBC [--out OUT.onnx]
//
// Used to give the committed BCCD models their real class names (they were written with the builder's
// placeholder digits, so ultralytics labelled every prediction "0", "1" or "2").
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { onnx } from 'onnx-proto';
import { pythonNamesDict } from '../core/yolo/ultralytics-metadata';

/** ModelProto.metadata_props (onnx.proto). */
const METADATA_PROPS = 14;

interface TopField {
  readonly field: number;
  readonly bytes: Uint8Array;
}

function readVarint(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= bytes.length) throw new Error('truncated varint');
    const b = bytes[pos++]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, pos];
    scale *= 128;
  }
  throw new Error('varint too long');
}

/** The top-level fields of a protobuf message, each with its exact bytes (tag included), in file order. */
export function topLevelFields(bytes: Uint8Array): TopField[] {
  const fields: TopField[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const start = pos;
    const [tag, afterTag] = readVarint(bytes, pos);
    pos = afterTag;
    const wire = tag % 8;
    if (wire === 0) pos = readVarint(bytes, pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [length, afterLength] = readVarint(bytes, pos);
      pos = afterLength + length;
    } else throw new Error(`unsupported wire type ${wire} at byte ${start}`);
    if (pos > bytes.length) throw new Error(`field at byte ${start} runs past the end`);
    fields.push({ field: Math.floor(tag / 8), bytes: bytes.subarray(start, pos) });
  }
  return fields;
}

function metadataEntry(key: string, value: string): Uint8Array {
  const body = onnx.StringStringEntryProto.encode({ key, value }).finish();
  const length: number[] = [];
  for (let n = body.length; ; n = Math.floor(n / 128)) {
    if (n < 128) {
      length.push(n);
      break;
    }
    length.push((n % 128) | 0x80);
  }
  return Uint8Array.from([(METADATA_PROPS << 3) | 2, ...length, ...body]);
}

function entryKey(field: TopField): string {
  const [length, at] = readVarint(field.bytes, 1);
  return onnx.StringStringEntryProto.decode(field.bytes.subarray(at, at + length)).key;
}

const concat = (parts: readonly Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** `bytes` with `names` as its ultralytics names metadata; every other field byte-identical (checked). */
export function restampNames(bytes: Uint8Array, names: readonly string[]): Uint8Array {
  const fields = topLevelFields(bytes);
  const entry = metadataEntry('names', pythonNamesDict(names));
  let replaced = false;
  const out = fields.map((f) => {
    if (f.field !== METADATA_PROPS || entryKey(f) !== 'names') return f.bytes;
    replaced = true;
    return entry;
  });
  if (!replaced) {
    const lastMeta = fields.map((f) => f.field).lastIndexOf(METADATA_PROPS);
    out.splice(lastMeta >= 0 ? lastMeta + 1 : out.length, 0, entry);
  }
  const result = concat(out);
  assertOnlyNamesChanged(bytes, result);
  return result;
}

/** Throws unless `after` holds every field of `before` byte for byte, apart from the `names` entry. */
export function assertOnlyNamesChanged(before: Uint8Array, after: Uint8Array): void {
  const others = (b: Uint8Array) =>
    topLevelFields(b).filter((f) => f.field !== METADATA_PROPS || entryKey(f) !== 'names');
  const [a, b] = [others(before), others(after)];
  const same =
    a.length === b.length &&
    a.every((f, i) => f.field === b[i]!.field && Buffer.compare(f.bytes, b[i]!.bytes) === 0);
  if (!same) throw new Error('restamping changed more than the names metadata');
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { names: { type: 'string' }, out: { type: 'string' } },
  });
  const file = positionals[0];
  const names = values.names
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!file || !names || names.length === 0) {
    console.error('usage: npx tsx tools/restamp-names.ts MODEL.onnx --names A,B,C [--out OUT.onnx]');
    process.exit(2);
  }
  const out = values.out ?? file;
  fs.writeFileSync(out, restampNames(fs.readFileSync(file), names));
  console.log(`wrote ${out}: names ${pythonNamesDict(names)}; every other field byte-identical`);
}

if (require.main === module) main();
