// TensorProto <-> Tensor. Decoding copies payloads into fresh, aligned typed arrays (never views into the
// file buffer), checks that the payload size agrees with the dims, and refuses absurd shapes.
// Encoding always writes raw_data (little-endian), which every ONNX reader accepts.

import type { onnx } from 'onnx-proto';
import { DataType, dataTypeName, storedElementSize } from './data-type';
import { OnnxFormatError } from './errors';
import { type ExternalDataReader, parseExternalDataEntries, readExternalData } from './external-data';
import {
  bfloat16ArrayToFloat32,
  float16ArrayToFloat32,
  float32ArrayToBfloat16,
  float32ArrayToFloat16,
} from './float16';
import { int64ToBigInt, int64ToNumber } from './long';
import type { Tensor, TensorData } from './model';

/** Largest dimension we accept; anything bigger is a corrupt or hostile file. */
export const MAX_DIM = 2 ** 31 - 1;
/** Largest element count of one tensor (16 GiB of float32). */
export const MAX_ELEMENTS = 2 ** 32;

const EXTERNAL = 1;

export function checkedElementCount(what: string, dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0 || d > MAX_DIM) {
      throw new OnnxFormatError(
        'ONNX_SHAPE_ABSURD',
        `${what} declares dimension ${d} (shape [${dims.join(', ')}])`,
      );
    }
    n *= d;
  }
  if (n > MAX_ELEMENTS) {
    throw new OnnxFormatError(
      'ONNX_SHAPE_ABSURD',
      `${what} declares ${n} elements (shape [${dims.join(', ')}])`,
    );
  }
  return n;
}

function copyBytes(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
}

function fromLittleEndianBytes(dataType: number, bytes: Uint8Array): TensorData {
  const buffer = copyBytes(bytes);
  switch (dataType) {
    case DataType.FLOAT:
      return new Float32Array(buffer);
    case DataType.FLOAT16:
      return float16ArrayToFloat32(new Uint16Array(buffer));
    case DataType.BFLOAT16:
      return bfloat16ArrayToFloat32(new Uint16Array(buffer));
    case DataType.DOUBLE:
      return new Float64Array(buffer);
    case DataType.INT8:
      return new Int8Array(buffer);
    case DataType.UINT8:
    case DataType.BOOL:
      return new Uint8Array(buffer);
    case DataType.INT16:
      return new Int16Array(buffer);
    case DataType.UINT16:
      return new Uint16Array(buffer);
    case DataType.INT32:
      return new Int32Array(buffer);
    case DataType.UINT32:
      return new Uint32Array(buffer);
    case DataType.INT64:
      return new BigInt64Array(buffer);
    case DataType.UINT64:
      return new BigUint64Array(buffer);
    default:
      return new Uint8Array(buffer);
  }
}

function fromTypedFields(name: string, dataType: number, p: onnx.ITensorProto): TensorData {
  switch (dataType) {
    case DataType.FLOAT:
      return Float32Array.from(p.floatData ?? []);
    case DataType.DOUBLE:
      return Float64Array.from(p.doubleData ?? []);
    case DataType.INT64:
      return BigInt64Array.from((p.int64Data ?? []).map(int64ToBigInt));
    case DataType.UINT64:
      return BigUint64Array.from((p.uint64Data ?? []).map((v) => BigInt.asUintN(64, int64ToBigInt(v))));
    case DataType.UINT32:
      return Uint32Array.from((p.uint64Data ?? []).map(int64ToNumber));
    case DataType.INT32:
      return Int32Array.from(p.int32Data ?? []);
    case DataType.INT16:
      return Int16Array.from(p.int32Data ?? []);
    case DataType.UINT16:
      return Uint16Array.from(p.int32Data ?? []);
    case DataType.INT8:
      return Int8Array.from(p.int32Data ?? []);
    case DataType.UINT8:
    case DataType.BOOL:
      return Uint8Array.from(p.int32Data ?? []);
    case DataType.FLOAT16:
      return float16ArrayToFloat32(Uint16Array.from(p.int32Data ?? []));
    case DataType.BFLOAT16:
      return bfloat16ArrayToFloat32(Uint16Array.from(p.int32Data ?? []));
    case DataType.STRING:
      return (p.stringData ?? []).map((b) => new TextDecoder().decode(b));
    default:
      throw new OnnxFormatError(
        'ONNX_UNSUPPORTED_DATA_TYPE',
        `tensor '${name}' has data type ${dataTypeName(dataType)} without raw_data`,
      );
  }
}

export function decodeTensor(p: onnx.ITensorProto, readExternal?: ExternalDataReader): Tensor {
  const name = p.name ?? '';
  const dims = (p.dims ?? []).map(int64ToNumber);
  const what = `initializer '${name}'`;
  const count = checkedElementCount(what, dims);
  const dataType = p.dataType ?? DataType.UNDEFINED;
  let bytes: Uint8Array | undefined;
  if (p.dataLocation === EXTERNAL) {
    bytes = readExternalData(name, parseExternalDataEntries(name, p.externalData ?? []), readExternal);
  } else if (p.rawData && p.rawData.length > 0) {
    bytes = p.rawData;
  }
  const docString = p.docString ? { docString: p.docString } : {};
  const elementSize = storedElementSize(dataType);
  if (bytes) {
    if (elementSize === undefined) {
      return { name, dataType, dims, data: fromLittleEndianBytes(-1, bytes), rawBytes: true, ...docString };
    }
    if (bytes.length !== count * elementSize) {
      throw new OnnxFormatError(
        'ONNX_INITIALIZER_SIZE_MISMATCH',
        `${what} of shape [${dims.join(', ')}] (${dataTypeName(dataType)}) needs ${count * elementSize} bytes, has ${bytes.length}`,
      );
    }
    return { name, dataType, dims, data: fromLittleEndianBytes(dataType, bytes), ...docString };
  }
  const data = fromTypedFields(name, dataType, p);
  if (data.length !== count) {
    throw new OnnxFormatError(
      'ONNX_INITIALIZER_SIZE_MISMATCH',
      `${what} of shape [${dims.join(', ')}] has ${data.length} elements, expected ${count}`,
    );
  }
  return { name, dataType, dims, data, ...docString };
}

function littleEndianBytes(t: Tensor): Uint8Array {
  let data = t.data;
  if (Array.isArray(data)) throw new Error('unreachable: strings are not raw');
  if (!t.rawBytes && data instanceof Float32Array) {
    if (t.dataType === DataType.FLOAT16) data = float32ArrayToFloat16(data);
    else if (t.dataType === DataType.BFLOAT16) data = float32ArrayToBfloat16(data);
  }
  const typed = data as Exclude<TensorData, string[]>;
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

export function encodeTensor(t: Tensor): onnx.ITensorProto {
  const proto: onnx.ITensorProto = { dims: [...t.dims], dataType: t.dataType };
  if (t.name) proto.name = t.name;
  if (t.docString) proto.docString = t.docString;
  if (Array.isArray(t.data)) proto.stringData = t.data.map((s) => new TextEncoder().encode(s));
  else if (t.data.length > 0) proto.rawData = littleEndianBytes(t);
  return proto;
}
