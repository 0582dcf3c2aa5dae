import { onnx } from 'onnx-proto';
import { OnnxFormatError } from './errors';
import type { ExternalDataReader } from './external-data';
import { int64ToNumber } from './long';
import type { Attribute, Dim, Graph, Model, Node, Tensor, TypeInfo, ValueInfo } from './model';
import { MAX_SUPPORTED_OPSET, MIN_SUPPORTED_OPSET } from './opset';
import { decodeTensor, MAX_DIM } from './tensor-codec';
import { scanUnknownFields } from './unknown-fields';
import { checkDecodedNesting, checkNestingDepth, MAX_NESTING_DEPTH } from './nesting';

export interface DecodeOptions {
  /** Needed only for models whose tensors live in external files. */
  readonly readExternal?: ExternalDataReader;
  /** Skip the opset range check (for inspection tools). Default false. */
  readonly anyOpset?: boolean;
}

const utf8 = new TextDecoder();

// Writers emit ModelProto fields in field order, so a model starts with one of these tags (ir_version,
// producer_name, ..., functions). Anything else is another kind of file, not a cut-short model.
const MODEL_FIRST_TAGS = new Set([0x08, 0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72, 0xa2, 0xca]);

/**
 * Parses ONNX protobuf bytes into a Model. Every failure is an OnnxFormatError naming the problem;
 * nothing else escapes (protobuf decoder errors and RangeErrors are wrapped). Nesting deeper than
 * MAX_NESTING_DEPTH is refused, on the bytes and again on the decoded protobuf (nesting.ts), so the
 * recursive code below and encodeModel stay shallow.
 */
export function decodeModel(bytes: Uint8Array, options: DecodeOptions = {}): Model {
  if (bytes.length === 0) throw new OnnxFormatError('ONNX_TRUNCATED', 'the file is empty');
  if (!MODEL_FIRST_TAGS.has(bytes[0]!)) {
    throw new OnnxFormatError(
      'ONNX_NOT_ONNX',
      `not an ONNX model: unexpected first byte 0x${bytes[0]!.toString(16)}`,
    );
  }
  checkNestingDepth(bytes);
  let proto: onnx.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    if (isStackOverflow(err)) throw tooDeep(err);
    if (/index out of range/.test(message)) {
      throw new OnnxFormatError(
        'ONNX_TRUNCATED',
        `the file ends in the middle of a protobuf field (${message})`,
        { cause: err },
      );
    }
    throw new OnnxFormatError('ONNX_NOT_ONNX', `not an ONNX model: ${message}`, { cause: err });
  }
  try {
    return modelFromProto(proto, bytes, options);
  } catch (err) {
    // The nesting check should make these impossible; if one slips through it is still the file's fault.
    if (isStackOverflow(err)) throw tooDeep(err);
    if (err instanceof RangeError) {
      throw new OnnxFormatError('ONNX_GRAPH_INVALID', `the model cannot be decoded: ${err.message}`, {
        cause: err,
      });
    }
    throw err;
  }
}

const isStackOverflow = (err: unknown) => err instanceof RangeError && /call stack size/i.test(err.message);

const tooDeep = (err: unknown) =>
  new OnnxFormatError(
    'ONNX_NESTING_TOO_DEEP',
    `the model nests too deeply to decode (${(err as Error).message}); the limit is ${MAX_NESTING_DEPTH} levels`,
    { cause: err },
  );

function modelFromProto(proto: onnx.ModelProto, bytes: Uint8Array, options: DecodeOptions): Model {
  checkDecodedNesting(proto);
  if (!proto.graph || int64ToNumber(proto.irVersion) <= 0) {
    throw new OnnxFormatError('ONNX_NOT_ONNX', 'not an ONNX model: no ir_version or no graph');
  }
  const opsetImports = proto.opsetImport.map((o) => ({
    domain: o.domain ?? '',
    version: int64ToNumber(o.version),
  }));
  const opset = opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version;
  if (
    !options.anyOpset &&
    (opset === undefined || opset < MIN_SUPPORTED_OPSET || opset > MAX_SUPPORTED_OPSET)
  ) {
    throw new OnnxFormatError(
      'ONNX_OPSET_UNSUPPORTED',
      `default-domain opset ${opset ?? 'missing'} is outside the supported range ${MIN_SUPPORTED_OPSET}–${MAX_SUPPORTED_OPSET}`,
    );
  }
  const unknown = scanUnknownFields(bytes);
  const passthrough = {
    ...(proto.functions.length > 0 ? { functions: proto.functions } : {}),
    ...(proto.trainingInfo.length > 0 ? { trainingInfo: proto.trainingInfo } : {}),
    ...(unknown.topLevel.length > 0 ? { unknownFields: unknown.topLevel } : {}),
  };
  return {
    irVersion: int64ToNumber(proto.irVersion),
    opsetImports,
    producerName: proto.producerName ?? '',
    producerVersion: proto.producerVersion ?? '',
    domain: proto.domain ?? '',
    modelVersion: int64ToNumber(proto.modelVersion),
    docString: proto.docString ?? '',
    metadataProps: proto.metadataProps.map((p) => ({ key: p.key ?? '', value: p.value ?? '' })),
    graph: decodeGraph(proto.graph, options.readExternal),
    ...(Object.keys(passthrough).length > 0 ? { passthrough } : {}),
    ...(unknown.warnings.length > 0 ? { decodeWarnings: unknown.warnings } : {}),
  };
}

export function decodeGraph(g: onnx.IGraphProto, readExternal?: ExternalDataReader): Graph {
  const initializers = new Map<string, Tensor>();
  for (const t of g.initializer ?? []) {
    const tensor = decodeTensor(t, readExternal);
    initializers.set(tensor.name, tensor);
  }
  const sparse = g.sparseInitializer ?? [];
  const quant = g.quantizationAnnotation ?? [];
  const passthrough = {
    ...(sparse.length > 0 ? { sparseInitializers: sparse } : {}),
    ...(quant.length > 0 ? { quantizationAnnotations: quant } : {}),
  };
  return {
    name: g.name ?? '',
    nodes: (g.node ?? []).map((n) => decodeNode(n, readExternal)),
    inputs: (g.input ?? []).map(decodeValueInfo),
    outputs: (g.output ?? []).map(decodeValueInfo),
    valueInfo: (g.valueInfo ?? []).map(decodeValueInfo),
    initializers,
    ...(g.docString ? { docString: g.docString } : {}),
    ...(Object.keys(passthrough).length > 0 ? { passthrough } : {}),
  };
}

function decodeNode(n: onnx.INodeProto, readExternal?: ExternalDataReader): Node {
  const attributes: Record<string, Attribute> = {};
  for (const a of n.attribute ?? []) attributes[a.name ?? ''] = decodeAttribute(a, readExternal);
  return {
    name: n.name ?? '',
    opType: n.opType ?? '',
    domain: n.domain ?? '',
    inputs: [...(n.input ?? [])],
    outputs: [...(n.output ?? [])],
    attributes,
    ...(n.docString ? { docString: n.docString } : {}),
  };
}

const A = onnx.AttributeProto.AttributeType;

function decodeAttribute(a: onnx.IAttributeProto, readExternal?: ExternalDataReader): Attribute {
  // ref_attr_name (function bodies) and doc strings are rare; keeping the proto keeps them exactly.
  if (a.refAttrName || a.docString) return { type: 'opaque', proto: a };
  switch (a.type) {
    case A.FLOAT:
      return { type: 'float', value: a.f ?? 0 };
    case A.INT:
      return { type: 'int', value: int64ToNumber(a.i) };
    case A.STRING:
      return { type: 'string', value: utf8.decode(a.s ?? new Uint8Array()) };
    case A.TENSOR:
      return { type: 'tensor', value: decodeTensor(a.t ?? {}, readExternal) };
    case A.GRAPH:
      return { type: 'graph', value: decodeGraph(a.g ?? {}, readExternal) };
    case A.FLOATS:
      return { type: 'floats', value: [...(a.floats ?? [])] };
    case A.INTS:
      return { type: 'ints', value: (a.ints ?? []).map(int64ToNumber) };
    case A.STRINGS:
      return { type: 'strings', value: (a.strings ?? []).map((s) => utf8.decode(s)) };
    default:
      return { type: 'opaque', proto: a };
  }
}

function decodeValueInfo(v: onnx.IValueInfoProto): ValueInfo {
  const name = v.name ?? '';
  return {
    name,
    ...(v.type ? { type: decodeType(name, v.type) } : {}),
    ...(v.docString ? { docString: v.docString } : {}),
  };
}

function decodeType(name: string, t: onnx.ITypeProto): TypeInfo {
  const tensor = t.tensorType;
  if (!tensor || t.denotation || tensor.shape?.dim?.some((d) => d.denotation))
    return { kind: 'opaque', proto: t };
  const elemType = tensor.elemType ?? 0;
  if (!tensor.shape) return { kind: 'tensor', elemType };
  const shape: Dim[] = (tensor.shape.dim ?? []).map((d) => {
    if (d.dimParam) return d.dimParam;
    if (d.dimValue === null || d.dimValue === undefined) return null;
    const value = int64ToNumber(d.dimValue);
    if (value < 0 || value > MAX_DIM) {
      throw new OnnxFormatError('ONNX_SHAPE_ABSURD', `value '${name}' declares dimension ${value}`);
    }
    return value;
  });
  return { kind: 'tensor', elemType, shape };
}
