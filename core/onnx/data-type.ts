/** ONNX TensorProto.DataType values (onnx.proto). Later additions (float8, int4, ...) are plain numbers. */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
} as const;
export type DataType = (typeof DataType)[keyof typeof DataType] | number;

/** Bytes per element as stored in `raw_data`; undefined for types we do not decode (strings, complex, float8...). */
export function storedElementSize(dataType: number): number | undefined {
  switch (dataType) {
    case DataType.FLOAT:
    case DataType.INT32:
    case DataType.UINT32:
      return 4;
    case DataType.UINT8:
    case DataType.INT8:
    case DataType.BOOL:
      return 1;
    case DataType.UINT16:
    case DataType.INT16:
    case DataType.FLOAT16:
    case DataType.BFLOAT16:
      return 2;
    case DataType.INT64:
    case DataType.UINT64:
    case DataType.DOUBLE:
      return 8;
    default:
      return undefined;
  }
}

export function dataTypeName(dataType: number): string {
  const entry = Object.entries(DataType).find(([, v]) => v === dataType);
  return entry ? entry[0] : `DATA_TYPE_${dataType}`;
}
