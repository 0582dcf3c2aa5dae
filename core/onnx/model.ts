// The in-memory form of an ONNX model. Plain readonly data: transforms build new objects (see
// core/graph/transform.ts) and never mutate, so a model can be shared between analyses safely.

import type { DataType } from './data-type';

/**
 * Element storage of a tensor. Floating types (FLOAT, FLOAT16, BFLOAT16) are always a Float32Array: the
 * `dataType` says the precision the tensor is stored at in the file. INT64 is a BigInt64Array (lossless);
 * BOOL is a Uint8Array; STRING is string[] (UTF-8). Types we do not decode keep their raw bytes in a Uint8Array
 * with `rawBytes: true`.
 */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | string[];

export interface Tensor {
  readonly name: string;
  readonly dataType: DataType;
  readonly dims: readonly number[];
  readonly data: TensorData;
  /** True when `data` holds the undecoded little-endian bytes of a type we do not model (complex, float8...). */
  readonly rawBytes?: boolean;
  readonly docString?: string;
}

/** A tensor of FLOAT (or FLOAT16/BFLOAT16) elements, the common case for weights. */
export interface FloatTensor extends Tensor {
  readonly data: Float32Array;
}

/** One dimension: a size, a symbolic name (`batch`), or unknown. */
export type Dim = number | string | null;

export type TypeInfo =
  | { readonly kind: 'tensor'; readonly elemType: DataType; readonly shape?: readonly Dim[] }
  /** Sequence, map, optional, sparse types: kept as the decoded protobuf object, written back as is. */
  | { readonly kind: 'opaque'; readonly proto: unknown };

export interface ValueInfo {
  readonly name: string;
  readonly type?: TypeInfo;
  readonly docString?: string;
}

export type Attribute =
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'tensor'; readonly value: Tensor }
  | { readonly type: 'graph'; readonly value: Graph }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'strings'; readonly value: readonly string[] }
  /** Anything else (sparse tensors, type protos, lists of tensors/graphs, ref_attr_name): written back untouched. */
  | { readonly type: 'opaque'; readonly proto: unknown };

export interface Node {
  /** Unique within the graph in practice (ONNX does not require it; ultralytics exports satisfy it). */
  readonly name: string;
  readonly opType: string;
  /** '' is the default ai.onnx domain. */
  readonly domain: string;
  /** Tensor names; '' marks an omitted optional input (e.g. Resize's roi). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** In file order. */
  readonly attributes: Readonly<Record<string, Attribute>>;
  readonly docString?: string;
}

export interface Graph {
  readonly name: string;
  /** In file order, which ONNX requires to be topological. */
  readonly nodes: readonly Node[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly valueInfo: readonly ValueInfo[];
  /** By name, in file order. */
  readonly initializers: ReadonlyMap<string, Tensor>;
  readonly docString?: string;
  /** sparse_initializer and quantization_annotation, kept as decoded protobuf objects. */
  readonly passthrough?: {
    readonly sparseInitializers?: unknown[];
    readonly quantizationAnnotations?: unknown[];
  };
}

export interface OpsetImport {
  readonly domain: string;
  readonly version: number;
}

export interface MetadataProp {
  readonly key: string;
  readonly value: string;
}

export interface Model {
  readonly irVersion: number;
  readonly opsetImports: readonly OpsetImport[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly domain: string;
  readonly modelVersion: number;
  readonly docString: string;
  readonly metadataProps: readonly MetadataProp[];
  readonly graph: Graph;
  /**
   * functions and training_info, kept as decoded protobuf objects; ModelProto fields newer than the
   * decoder's schema, kept as raw bytes (see unknown-fields.ts). All written back by encodeModel.
   */
  readonly passthrough?: {
    readonly functions?: unknown[];
    readonly trainingInfo?: unknown[];
    readonly unknownFields?: readonly Uint8Array[];
  };
  /** Set by decodeModel when something in the file could not be represented (e.g. NodeProto.metadata_props). */
  readonly decodeWarnings?: readonly string[];
}

/** The default-domain opset version, or undefined when the model does not import it. */
export function defaultOpset(model: Model): number | undefined {
  return model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version;
}

export function metadataValue(model: Model, key: string): string | undefined {
  return model.metadataProps.find((p) => p.key === key)?.value;
}

/** The fixed spatial size of a model's first (NCHW, square) input, or undefined when it is dynamic. */
export function imageInputSize(model: Model): number | undefined {
  const t = model.graph.inputs[0]?.type;
  const h = t?.kind === 'tensor' ? t.shape?.[2] : undefined;
  return typeof h === 'number' && h > 0 ? h : undefined;
}
