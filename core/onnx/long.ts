// protobufjs returns int64 fields as Long objects when the `long` package is present, numbers otherwise.

export interface LongLike {
  toNumber(): number;
  toString(): string;
}

export type Int64Field = number | LongLike | null | undefined;

export function int64ToNumber(v: Int64Field): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

export function int64ToBigInt(v: Int64Field): bigint {
  if (v === null || v === undefined) return 0n;
  return typeof v === 'number' ? BigInt(v) : BigInt(v.toString());
}
