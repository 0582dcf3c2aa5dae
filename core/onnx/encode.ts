import { onnx } from 'onnx-proto';
import type { Attribute, Graph, Model, Node, TypeInfo, ValueInfo } from './model';
import { encodeTensor } from './tensor-codec';

const utf8 = new TextEncoder();
const A = onnx.AttributeProto.AttributeType;

/** Serialises a Model to ONNX protobuf bytes. Tensors are written as raw_data. */
export function encodeModel(model: Model): Uint8Array {
  const proto: onnx.IModelProto = {
    irVersion: model.irVersion,
    // onnx.proto is proto2: an empty string written is not the same as a field left out, so empty
    // strings and zero versions are omitted, as the original writers do.
    opsetImport: model.opsetImports.map((o) => ({
      ...(o.domain ? { domain: o.domain } : {}),
      version: o.version,
    })),
    ...(model.producerName ? { producerName: model.producerName } : {}),
    ...(model.producerVersion ? { producerVersion: model.producerVersion } : {}),
    ...(model.domain ? { domain: model.domain } : {}),
    ...(model.modelVersion ? { modelVersion: model.modelVersion } : {}),
    ...(model.docString ? { docString: model.docString } : {}),
    graph: encodeGraph(model.graph),
    metadataProps: model.metadataProps.map((p) => ({ key: p.key, value: p.value })),
    functions: (model.passthrough?.functions ?? []) as onnx.IFunctionProto[],
    trainingInfo: (model.passthrough?.trainingInfo ?? []) as onnx.ITrainingInfoProto[],
  };
  const bytes = onnx.ModelProto.encode(proto).finish();
  const unknown = model.passthrough?.unknownFields ?? [];
  if (unknown.length === 0) return bytes;
  // Appending fields to an encoded message is valid protobuf: readers see them as if written in place.
  const out = new Uint8Array(bytes.length + unknown.reduce((n, f) => n + f.length, 0));
  out.set(bytes);
  let at = bytes.length;
  for (const f of unknown) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

export function encodeGraph(g: Graph): onnx.IGraphProto {
  return {
    ...(g.name ? { name: g.name } : {}),
    node: g.nodes.map(encodeNode),
    initializer: [...g.initializers.values()].map(encodeTensor),
    input: g.inputs.map(encodeValueInfo),
    output: g.outputs.map(encodeValueInfo),
    valueInfo: g.valueInfo.map(encodeValueInfo),
    ...(g.docString ? { docString: g.docString } : {}),
    sparseInitializer: (g.passthrough?.sparseInitializers ?? []) as onnx.ISparseTensorProto[],
    quantizationAnnotation: (g.passthrough?.quantizationAnnotations ?? []) as onnx.ITensorAnnotation[],
  };
}

function encodeNode(n: Node): onnx.INodeProto {
  return {
    ...(n.name ? { name: n.name } : {}),
    opType: n.opType,
    ...(n.domain ? { domain: n.domain } : {}),
    input: [...n.inputs],
    output: [...n.outputs],
    attribute: Object.entries(n.attributes).map(([name, a]) => encodeAttribute(name, a)),
    ...(n.docString ? { docString: n.docString } : {}),
  };
}

function encodeAttribute(name: string, a: Attribute): onnx.IAttributeProto {
  switch (a.type) {
    case 'float':
      return { name, type: A.FLOAT, f: a.value };
    case 'int':
      return { name, type: A.INT, i: a.value };
    case 'string':
      return { name, type: A.STRING, s: utf8.encode(a.value) };
    case 'tensor':
      return { name, type: A.TENSOR, t: encodeTensor(a.value) };
    case 'graph':
      return { name, type: A.GRAPH, g: encodeGraph(a.value) };
    case 'floats':
      return { name, type: A.FLOATS, floats: [...a.value] };
    case 'ints':
      return { name, type: A.INTS, ints: [...a.value] };
    case 'strings':
      return { name, type: A.STRINGS, strings: a.value.map((s) => utf8.encode(s)) };
    case 'opaque':
      return { ...(a.proto as onnx.IAttributeProto), name };
  }
}

function encodeValueInfo(v: ValueInfo): onnx.IValueInfoProto {
  return {
    name: v.name,
    ...(v.type ? { type: encodeType(v.type) } : {}),
    ...(v.docString ? { docString: v.docString } : {}),
  };
}

function encodeType(t: TypeInfo): onnx.ITypeProto {
  if (t.kind === 'opaque') return t.proto as onnx.ITypeProto;
  return {
    tensorType: {
      elemType: t.elemType,
      ...(t.shape
        ? {
            shape: {
              dim: t.shape.map((d) =>
                typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {},
              ),
            },
          }
        : {}),
    },
  };
}
